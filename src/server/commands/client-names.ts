// Client names (CLIENT SETNAME, HELLO SETNAME): networking.c validateClientName accepts printable ASCII
// from '!' to '~' only; an empty name clears it.

import {INVALID_CLIENT_NAME} from '../../resp/errors.js'

export {INVALID_CLIENT_NAME}

export function isValidClientName(name: Buffer): boolean {
  for (const byte of name) if (byte < 0x21 || byte > 0x7e) return false
  return true
}
