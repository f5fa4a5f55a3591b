// Assembles the INFO reply (server.c genRedisInfoString): sections in Redis's fixed order, selected by
// name, `default`, `all` or `everything`; each "# Title" followed by its lines, sections separated by a
// blank line, every line ending in CRLF.

import type {Server} from '../server.js'
import {keyspaceSection} from './keyspace-section.js'
import {MemoryTracker} from './memory-section.js'
import {persistenceSection} from './persistence-section.js'
import {replicationInfoFor} from './replication-section.js'
import {clientsSection, clusterSection, cpuSection, serverSection} from './server-section.js'
import {commandstatsSection, errorstatsSection, statsSection} from './stats-section.js'

interface SectionDef {
  readonly name: string
  readonly title: string
  readonly inDefault: boolean
}

/** Redis's order. `all` is every section; `default` leaves out commandstats and latencystats. */
const SECTIONS: readonly SectionDef[] = [
  {name: 'server', title: 'Server', inDefault: true},
  {name: 'clients', title: 'Clients', inDefault: true},
  {name: 'memory', title: 'Memory', inDefault: true},
  {name: 'persistence', title: 'Persistence', inDefault: true},
  {name: 'stats', title: 'Stats', inDefault: true},
  {name: 'replication', title: 'Replication', inDefault: true},
  {name: 'cpu', title: 'CPU', inDefault: true},
  {name: 'modules', title: 'Modules', inDefault: true},
  {name: 'commandstats', title: 'Commandstats', inDefault: false},
  {name: 'errorstats', title: 'Errorstats', inDefault: true},
  {name: 'latencystats', title: 'Latencystats', inDefault: false},
  {name: 'cluster', title: 'Cluster', inDefault: true},
  {name: 'keyspace', title: 'Keyspace', inDefault: true},
]

export class InfoBuilder {
  private readonly memory = new MemoryTracker()

  constructor(
    private readonly server: Server,
    private readonly configFile: () => string,
  ) {}

  /** The INFO text for the requested section names (lower case); [] means `default`. */
  build(requested: readonly string[]): string {
    const wanted = selectSections(requested)
    const blocks: string[] = []
    for (const def of SECTIONS) {
      if (!wanted.has(def.name)) continue
      const lines = this.lines(def.name)
      blocks.push([`# ${def.title}`, ...lines].map((l) => `${l}\r\n`).join(''))
    }
    return blocks.join('\r\n')
  }

  private lines(name: string): string[] {
    const server = this.server
    switch (name) {
      case 'server': return serverSection(server, this.configFile())
      case 'clients': return clientsSection(server)
      case 'memory': return this.memory.section(server)
      case 'persistence': return persistenceSection(server)
      case 'stats': return statsSection(server)
      case 'replication': return replicationInfoFor(server, () => backlogSize(server)).infoLines()
      case 'cpu': return cpuSection()
      case 'commandstats': return commandstatsSection(server)
      case 'errorstats': return errorstatsSection(server)
      case 'cluster': return clusterSection()
      case 'keyspace': return keyspaceSection(server.keyspace, server.clock.nowMs())
      default: return []
    }
  }
}

export function backlogSize(server: Server): number {
  return Number(server.config.get('repl-backlog-size') ?? 1048576)
}

function selectSections(requested: readonly string[]): Set<string> {
  const wanted = new Set<string>()
  const defaults = SECTIONS.filter((s) => s.inDefault).map((s) => s.name)
  if (requested.length === 0) return new Set(defaults)
  for (const name of requested) {
    if (name === 'default') defaults.forEach((s) => wanted.add(s))
    else if (name === 'all' || name === 'everything') SECTIONS.forEach((s) => wanted.add(s.name))
    else wanted.add(name)
  }
  return wanted
}
