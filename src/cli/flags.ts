// Flags shared by several commands, defined once.

import {Flags} from '@oclif/core'

export const dirFlag = Flags.string({
  description: 'state directory holding the topology (env RTOPO_DIR)',
  env: 'RTOPO_DIR',
  default: '.rtopo',
})

export const groupFlag = Flags.string({description: 'group (master name) when there are several masters'})

/** The other side of a network fault: selectors, comma-separated or repeated. */
export const fromFlag = Flags.string({
  description: 'the other side (default: every other node and the clients); comma-separated or repeated',
  multiple: true,
})
