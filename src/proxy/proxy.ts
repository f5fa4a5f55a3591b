// The lab proxy: one listener per node on the node's public (announced) port, forwarding to the node's own
// port. Each node opens its connections from its own loopback address (bind-source-addr), so the source of a
// connection names its initiator; anything else is a client. The rules (rules.ts) decide, per link, whether
// bytes pass, wait or stop. Rules are kept in a file (written atomically) so a restarted proxy re-applies
// them, and a rule with an end time expires here, whether or not any rtopo command runs then.

import {existsSync, readFileSync} from 'node:fs'
import {createServer, type Server, type Socket} from 'node:net'
import {writeFileAtomic} from '../common/atomic-write.js'
import {Link} from './link.js'
import {CLIENTS, describeRule, effectOn, invalidSpec, rulesTouching, type Rule, type RuleSpec} from './rules.js'

export interface ProxyConfig {
  /** Unix socket the CLI sends control requests to. */
  control: string
  rulesFile: string
  /** One entry per node: its public port (where peers and clients connect) and its own port. */
  links: Array<{node: string; listen: number; upstream: number}>
  /** Source address → node id. */
  sources: Record<string, string>
}

const normalizeAddress = (address: string | undefined): string => (address ?? '').replace(/^::ffff:/, '')

export class LabProxy {
  private rules: Rule[] = []
  private nextId = 1
  private readonly links = new Set<Link>()
  private readonly servers: Server[] = []
  private readonly endpoints: Set<string>
  private expiry: NodeJS.Timeout | undefined

  constructor(private readonly config: ProxyConfig, private readonly log: (line: string) => void) {
    this.endpoints = new Set([...config.links.map((l) => l.node), CLIENTS])
  }

  async start(): Promise<void> {
    this.loadRules()
    for (const entry of this.config.links) {
      const server = createServer({pauseOnConnect: true}, (socket) => this.accept(socket, entry.node, entry.upstream))
      server.on('error', (cause) => this.log(`listener for ${entry.node} on port ${entry.listen}: ${cause.message}`))
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(entry.listen, '127.0.0.1', () => {
          server.off('error', reject)
          resolve()
        })
      })
      this.servers.push(server)
    }
    this.expiry = setInterval(() => this.expire(), 100)
    this.log(`proxying ${this.config.links.length} node(s); ${this.rules.length} rule(s) in force`)
  }

  stop(): void {
    if (this.expiry) clearInterval(this.expiry)
    for (const server of this.servers) server.close()
    for (const link of [...this.links]) link.close(false)
  }

  private accept(socket: Socket, node: string, upstreamPort: number): void {
    const initiator = this.config.sources[normalizeAddress(socket.remoteAddress)] ?? CLIENTS
    const link = new Link(initiator, node, socket, upstreamPort, effectOn(this.rules, initiator, node, Date.now()), (l) => this.links.delete(l))
    if (link.state !== 'closed') this.links.add(link)
  }

  private reapply(): void {
    const now = Date.now()
    for (const link of [...this.links]) link.apply(effectOn(this.rules, link.initiator, link.node, now), 'existing')
  }

  add(spec: RuleSpec): Rule {
    const rule: Rule = {...spec, id: this.nextId++, createdAt: Date.now()}
    this.rules.push(rule)
    this.saveRules()
    this.log(`+ ${describeRule(rule)}${rule.until ? ` until ${new Date(rule.until).toISOString()}` : ''}`)
    this.reapply()
    return rule
  }

  /** Removes the rules touching `endpoints` (every rule when empty) and returns them. */
  heal(endpoints: readonly string[], kind?: Rule['kind']): Rule[] {
    const removed = rulesTouching(this.rules, endpoints).filter((r) => kind === undefined || r.kind === kind)
    if (removed.length === 0) return []
    this.rules = this.rules.filter((r) => !removed.includes(r))
    this.saveRules()
    for (const rule of removed) this.log(`- ${describeRule(rule)}`)
    this.reapply()
    return removed
  }

  list(): {rules: Rule[]; links: ReturnType<Link['describe']>[]} {
    return {rules: [...this.rules], links: [...this.links].map((l) => l.describe())}
  }

  validate(spec: Partial<RuleSpec>): string | undefined {
    return invalidSpec(spec, this.endpoints)
  }

  private expire(): void {
    const now = Date.now()
    const expired = this.rules.filter((r) => r.until !== undefined && r.until <= now)
    if (expired.length === 0) return
    this.rules = this.rules.filter((r) => !expired.includes(r))
    this.saveRules()
    for (const rule of expired) this.log(`- ${describeRule(rule)} (expired)`)
    this.reapply()
  }

  private loadRules(): void {
    if (!existsSync(this.config.rulesFile)) return
    try {
      const saved = JSON.parse(readFileSync(this.config.rulesFile, 'utf8')) as {rules: Rule[]; nextId: number}
      this.rules = saved.rules.filter((r) => r.until === undefined || r.until > Date.now())
      this.nextId = saved.nextId
    } catch (cause) {
      this.log(`ignoring unreadable ${this.config.rulesFile}: ${(cause as Error).message}`)
    }
  }

  private saveRules(): void {
    writeFileAtomic(this.config.rulesFile, `${JSON.stringify({rules: this.rules, nextId: this.nextId}, null, 2)}\n`)
  }
}
