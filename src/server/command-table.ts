// The one command table: gathers each group's CommandSpec rows, rejects duplicate names at startup, and
// resolves a request's name (and subcommand) to its spec. COMMAND INFO/DOCS/COUNT read the same rows.

import type {CommandSpec} from './command-spec.js'

export class CommandTable {
  private readonly byName = new Map<string, CommandSpec>()
  /** Exact-bytes cache so the common case (clients send one casing) skips lower-casing. */
  private readonly byRawName = new Map<string, CommandSpec>()

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
