// The network faults the lab proxy applies, as data: cuts (partitions) and added latency between two sets of
// endpoints. An endpoint is a node id, or `clients` (any connection that does not come from a node's own
// source address). A link is one TCP connection: its initiator and the node it was opened to.

export const CLIENTS = 'clients'

/**
 * How a cut treats connections. `cut` (the default) resets the connections that exist when it starts and
 * blackholes new ones, as a dropped route does once the peers notice; `reset` refuses new connections too;
 * `blackhole` freezes existing connections as well, so that they resume if the cut heals before either side
 * times out.
 */
export type CutMode = 'cut' | 'reset' | 'blackhole'

export interface RuleSpec {
  kind: 'cut' | 'latency'
  /** One side. */
  nodes: string[]
  /** The other side. */
  from: string[]
  /**
   * Cut: only connections opened by `from` toward `nodes`; connections `nodes` open toward `from` pass.
   * Latency: only data sent by `from` to `nodes` is delayed.
   */
  oneway: boolean
  mode?: CutMode
  delayMs?: number
  jitterMs?: number
  /** Epoch ms at which the rule ends by itself. */
  until?: number
}

export interface Rule extends RuleSpec {
  id: number
  createdAt: number
}

/** What the rules say about one link right now. */
export interface LinkEffect {
  /** The mode of the newest cut that covers the link, or undefined when it passes. */
  cut?: CutMode
  /** Delay of data sent by the initiator to the node, and of data coming back. */
  delayToNodeMs: number
  delayToInitiatorMs: number
  jitterMs: number
}

const member = (set: readonly string[], endpoint: string): boolean => set.includes(endpoint)

/** Does data sent by `sender` to `receiver` fall under the rule (for latency), either direction unless oneway? */
const coversFlow = (rule: RuleSpec, sender: string, receiver: string): boolean =>
  (member(rule.from, sender) && member(rule.nodes, receiver)) || (!rule.oneway && member(rule.nodes, sender) && member(rule.from, receiver))

/** Does the cut cover a connection opened by `initiator` to `node`? */
const coversConnection = (rule: RuleSpec, initiator: string, node: string): boolean => coversFlow(rule, initiator, node)

export function effectOn(rules: readonly Rule[], initiator: string, node: string, now: number): LinkEffect {
  const effect: LinkEffect = {delayToNodeMs: 0, delayToInitiatorMs: 0, jitterMs: 0}
  let newestCut = -1
  for (const rule of rules) {
    if (rule.until !== undefined && rule.until <= now) continue
    if (rule.kind === 'cut') {
      if (coversConnection(rule, initiator, node) && rule.id > newestCut) {
        newestCut = rule.id
        effect.cut = rule.mode ?? 'cut'
      }
      continue
    }
    const toNode = coversFlow(rule, initiator, node)
    const toInitiator = coversFlow(rule, node, initiator)
    if (toNode) effect.delayToNodeMs = Math.max(effect.delayToNodeMs, rule.delayMs ?? 0)
    if (toInitiator) effect.delayToInitiatorMs = Math.max(effect.delayToInitiatorMs, rule.delayMs ?? 0)
    if (toNode || toInitiator) effect.jitterMs = Math.max(effect.jitterMs, rule.jitterMs ?? 0)
  }
  return effect
}

/** Rules that touch any of `endpoints` (all rules when none are given). */
export function rulesTouching(rules: readonly Rule[], endpoints: readonly string[]): Rule[] {
  if (endpoints.length === 0) return [...rules]
  return rules.filter((r) => endpoints.some((e) => member(r.nodes, e) || member(r.from, e)))
}

/** A one-line description: "cut master-1 | sentinel-1,sentinel-2 (both ways, mode cut)". */
export function describeRule(rule: RuleSpec): string {
  const arrow = rule.oneway ? '<-' : '|'
  const sides = `${rule.nodes.join(',')} ${arrow} ${rule.from.join(',')}`
  if (rule.kind === 'cut') return `cut ${sides} (${rule.oneway ? 'one way' : 'both ways'}, mode ${rule.mode ?? 'cut'})`
  const jitter = rule.jitterMs ? ` ±${rule.jitterMs}` : ''
  return `latency ${rule.delayMs ?? 0}${jitter} ms ${sides}${rule.oneway ? ' (one way)' : ''}`
}

/** Validates a spec from the control socket; returns why it is wrong, or undefined. */
export function invalidSpec(spec: Partial<RuleSpec>, endpoints: ReadonlySet<string>): string | undefined {
  if (spec.kind !== 'cut' && spec.kind !== 'latency') return `kind must be cut or latency, not ${String(spec.kind)}`
  for (const side of ['nodes', 'from'] as const) {
    const list = spec[side]
    if (!Array.isArray(list) || list.length === 0) return `${side} must be a non-empty list`
    const unknown = list.find((e) => !endpoints.has(e))
    if (unknown !== undefined) return `unknown endpoint '${unknown}' in ${side}`
  }
  const overlap = spec.nodes?.find((e) => spec.from?.includes(e))
  if (overlap !== undefined) return `'${overlap}' is on both sides`
  if (spec.mode !== undefined && !['cut', 'reset', 'blackhole'].includes(spec.mode)) return `mode must be cut, reset or blackhole, not ${spec.mode}`
  if (spec.kind === 'latency' && !(Number.isInteger(spec.delayMs) && (spec.delayMs as number) >= 0)) return 'latency needs delayMs, a whole number of ms ≥ 0'
  if (spec.jitterMs !== undefined && !(Number.isInteger(spec.jitterMs) && spec.jitterMs >= 0)) return 'jitterMs must be a whole number of ms ≥ 0'
  if (spec.until !== undefined && !Number.isFinite(spec.until)) return 'until must be epoch ms'
  return undefined
}
