// The one command table: gathers each group's CommandSpec rows, rejects duplicate names at startup, and
// resolves a request's name (and subcommand) to its spec. COMMAND INFO/DOCS/COUNT read the same rows.

import type {CommandSpec} from './command-spec.js'

export class CommandTable {
  private readonly byName = new Map<string, CommandSpec>()
  /** Exact-bytes cache so the common case (clients send one casing) skips lower-casing. */
  private readonly byRawName = new Map<string, CommandSpec>()
  /** Names of up to SHORT_NAME bytes by a number packed from their lower-cased bytes: no string is made. */
  private readonly byCode = new Map<number, CommandSpec>()

  constructor(groups: readonly (readonly CommandSpec[])[]) {
    for (const group of groups) {
      for (const spec of group) {
        if (this.byName.has(spec.name)) throw new Error(`command '${spec.name}' is registered twice`)
        const subNames = new Set<string>()
        for (const sub of spec.subcommands ?? []) {
          if (subNames.has(sub.name)) throw new Error(`subcommand '${sub.name}' is registered twice`)
          subNames.add(sub.name)
        }
        this.byName.set(spec.name, spec)
        if (spec.name.length <= SHORT_NAME) this.byCode.set(nameCode(Buffer.from(spec.name, 'latin1')), spec)
      }
    }
  }

  get size(): number {
    return this.byName.size
  }

  all(): IterableIterator<CommandSpec> {
    return this.byName.values()
  }

  get(name: string): CommandSpec | undefined {
    return this.byName.get(name.toLowerCase())
  }

  /** Looks up by the raw argument bytes of a request. */
  lookup(nameArg: Buffer): CommandSpec | undefined {
    // Every command name this short is in byCode, so a miss there is an unknown command.
    if (nameArg.length <= SHORT_NAME) return nameArg.length === 0 ? this.byName.get('') : this.byCode.get(nameCode(nameArg))
    const raw = nameArg.toString('latin1')
    const cached = this.byRawName.get(raw)
    if (cached !== undefined) return cached
    const spec = this.byName.get(raw.toLowerCase())
    if (spec !== undefined && this.byRawName.size < 10_000) this.byRawName.set(raw, spec)
    return spec
  }

  /** The subcommand spec of a container command ('config' + 'GET' → 'config|get'). */
  lookupSubcommand(container: CommandSpec, subArg: Buffer): CommandSpec | undefined {
    const full = `${container.name}|${subArg.toString('latin1').toLowerCase()}`
    return container.subcommands?.find((s) => s.name === full)
  }
}

/** Names up to this length are looked up by nameCode (6 bytes and the length fit a double exactly). */
const SHORT_NAME = 6

/**
 * The bytes lower-cased (A-Z only: no other latin1 character lower-cases to ASCII, and names are ASCII)
 * packed into one number after the length, so different lengths never collide.
 */
function nameCode(name: Buffer): number {
  let code = name.length
  for (let i = 0; i < name.length; i++) {
    const c = name[i] as number
    code = code * 256 + (c >= 0x41 && c <= 0x5a ? c | 0x20 : c)
  }
  return code
}
