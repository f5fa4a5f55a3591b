// Secrets never reach MONITOR or SLOWLOG: Redis 7.0 redacts the password arguments of AUTH, HELLO … AUTH
// and MIGRATE … AUTH/AUTH2 (redactClientCommandArgument), showing "(redacted)" in their place.

import type {CommandSpec} from './command-spec.js'

const REDACTED = Buffer.from('(redacted)')

/** argv with password arguments replaced by "(redacted)" (argv[0] is the command name). */
export function redactedArgv(spec: CommandSpec, argv: readonly Buffer[]): readonly Buffer[] {
  if (spec.name === 'auth') return argv.map((a, i) => (i === 0 ? a : REDACTED))
  if (spec.name === 'hello') return redactHello(argv)
  return argv
}

/** HELLO protover AUTH user pass: both user and password are redacted. */
function redactHello(argv: readonly Buffer[]): readonly Buffer[] {
  const out = [...argv]
  for (let j = 2; j < out.length; j++) {
    const opt = (out[j] as Buffer).toString('latin1').toLowerCase()
    if (opt === 'auth' && j + 2 < out.length) {
      out[j + 1] = REDACTED
      out[j + 2] = REDACTED
      j += 2
    } else if (opt === 'setname' && j + 1 < out.length) {
      j++
    }
  }
  return out
}
