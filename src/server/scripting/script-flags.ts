// Script flags (script.c scripts_flags_def) and the `#!lua` shebang of EVAL scripts (eval.c
// evalExtractShebangFlags). A script without a shebang runs in EVAL compatibility mode.

import {splitArgs} from '../../resp/split-args.js'

export type ScriptFlag = 'no-writes' | 'allow-oom' | 'allow-stale' | 'no-cluster' | 'allow-cross-slot-keys'

export const SCRIPT_FLAG_NAMES: readonly ScriptFlag[] = ['no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys']

export interface ScriptFlags {
  /** No shebang: the flags of EVAL before 7.0 apply (the command's own flags decide). */
  readonly compat: boolean
  readonly set: ReadonlySet<ScriptFlag>
}

export const COMPAT_FLAGS: ScriptFlags = {compat: true, set: new Set()}

export type ShebangResult = {ok: true; flags: ScriptFlags; shebangLength: number} | {ok: false; error: string}

const isScriptFlag = (name: string): name is ScriptFlag => (SCRIPT_FLAG_NAMES as readonly string[]).includes(name)

/** Reads the flags of an EVAL script's first line; the body keeps the line feed so line numbers stay. */
export function extractShebangFlags(body: Buffer): ShebangResult {
  if (body[0] !== 0x23 || body[1] !== 0x21) return {ok: true, flags: COMPAT_FLAGS, shebangLength: 0}
  const end = body.indexOf(0x0a)
  if (end < 0) return {ok: false, error: 'Invalid script shebang'}
  const parts = splitArgs(body.subarray(0, end))?.map((p) => p.toString('latin1'))
  if (parts === undefined || parts.length === 0) return {ok: false, error: 'Invalid engine in script shebang'}
  if (parts[0] !== '#!lua') return {ok: false, error: `Unexpected engine in script shebang: ${parts[0]}`}
  const set = new Set<ScriptFlag>()
  for (const part of parts.slice(1)) {
    if (!part.startsWith('flags=')) return {ok: false, error: `Unknown lua shebang option: ${part}`}
    const list = part.slice(6)
    for (const flag of list === '' ? [] : list.split(',')) {
      if (!isScriptFlag(flag)) return {ok: false, error: `Unexpected flag in script shebang: ${flag}`}
      set.add(flag)
    }
  }
  return {ok: true, flags: {compat: false, set}, shebangLength: end}
}

/** The command flags a script's declared flags stand for (script.c scriptFlagsToCmdFlags). */
export function scriptCommandFlags(commandFlags: readonly string[], flags: ScriptFlags): readonly string[] {
  if (flags.compat) return commandFlags
  const out = commandFlags.filter((f) => f !== 'stale' && f !== 'denyoom' && f !== 'write' && f !== 'may_replicate')
  if (!flags.set.has('allow-oom') && !flags.set.has('no-writes')) out.push('denyoom')
  if (!flags.set.has('no-writes')) out.push('write')
  if (flags.set.has('allow-stale')) out.push('stale')
  return out
}
