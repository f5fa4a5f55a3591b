// The flags the gates judge EVAL and FCALL by (eval.c evalGetCommandFlags, functions.c
// fcallGetCommandFlags): a script or function that declares flags replaces the command's write, denyoom
// and stale flags with the ones it declared, so a no-writes script runs on a read-only replica and a
// writing function is refused there with READONLY before it starts.

import type {CommandFlag, CommandSpec} from '../command-spec.js'
import {sha1hex} from './eval-scripts.js'
import {extractShebangFlags, scriptCommandFlags, type ScriptFlags} from './script-flags.js'
import type {ScriptingEngine} from './scripting-engine.js'

const adjusted = (spec: CommandSpec, flags: ScriptFlags): readonly CommandFlag[] =>
  flags.compat ? spec.flags : (scriptCommandFlags(spec.flags, flags) as readonly CommandFlag[])

/** EVAL / EVAL_RO (`sha` false) and EVALSHA / EVALSHA_RO: the cached script's flags, or the body's shebang. */
export const evalGateFlags = (sha: boolean) => (spec: CommandSpec) => (argv: readonly Buffer[], scripting: ScriptingEngine): readonly CommandFlag[] => {
  const first = argv[1]
  if (first === undefined || (sha && first.length !== 40)) return spec.flags
  const cached = sha ? scripting.evalScripts.getByArg(first) : scripting.evalScripts.get(sha1hex(first))
  if (cached !== undefined) return adjusted(spec, cached.flags)
  if (sha) return spec.flags
  const shebang = extractShebangFlags(first)
  return shebang.ok ? adjusted(spec, shebang.flags) : spec.flags
}

/** FCALL / FCALL_RO: the function's declared flags (functions have no compatibility mode). */
export const fcallGateFlags = (spec: CommandSpec) => (argv: readonly Buffer[], scripting: ScriptingEngine): readonly CommandFlag[] => {
  const name = argv[1]
  const fn = name === undefined ? undefined : scripting.functions.find(name.toString('latin1'))
  return fn === undefined ? spec.flags : adjusted(spec, {compat: false, set: fn.flags.set})
}
