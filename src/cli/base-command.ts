// Base of every rtopo command: --dir, --json, loading the state file, and errors printed as
// "Error: …" plus "Try this:" lines (or a JSON error object), with a non-zero exit code.

import {writeSync} from 'node:fs'
import {resolve} from 'node:path'
import {Command} from '@oclif/core'
import {readState, StateFileError} from '../topology/state-file.js'
import type {PlannedNode, TopologyPlan} from '../topology/plan.js'
import {selectNodes, SelectorError} from '../topology/selectors.js'
import {RtopoError} from './errors.js'

export abstract class RtopoCommand extends Command {
  static override enableJsonFlag = true

  /** The topology recorded in the state dir, or a clear error when there is none. */
  protected loadPlan(dir: string): TopologyPlan {
    const stateDir = resolve(dir)
    let plan: TopologyPlan | undefined
    try {
      plan = readState(stateDir)
    } catch (cause) {
      if (cause instanceof StateFileError) {
        throw new RtopoError(cause.message, [`rtopo down --purge --dir ${dir}   # remove the broken state`, 'then rtopo up again'])
      }
      throw cause
    }
    if (plan === undefined) throw new RtopoError(`no topology in ${stateDir}`, [`rtopo up --dir ${dir}`])
    return plan
  }

  /** Resolves a node selector; an unknown or ambiguous one becomes an RtopoError pointing at `rtopo status`. */
  protected async select(plan: TopologyPlan, selector: string, group?: string): Promise<PlannedNode[]> {
    try {
      return await selectNodes(plan, selector, group)
    } catch (cause) {
      if (cause instanceof SelectorError) throw new RtopoError(cause.message, ['rtopo status'])
      throw cause
    }
  }

  /**
   * The one node a command acts on. `all` names every node, which only start and stop take: a one-node command
   * refuses it rather than act on the first node alone.
   */
  protected async selectOne(plan: TopologyPlan, selector: string, group: string | undefined, command: string, forMany?: string): Promise<PlannedNode> {
    const nodes = await this.select(plan, selector, group)
    if (nodes.length !== 1) {
      throw new RtopoError(`${command} takes one node; '${selector}' names ${nodes.length} (${nodes.map((n) => n.id).join(', ')})`, [
        `rtopo ${command} master   # or replica-N, sentinel-N, a node id, a port`, ...(forMany ? [forMany] : []),
      ])
    }
    return nodes[0] as PlannedNode
  }

  /** listr2 options: silent under --json so stdout stays one JSON document; plain lines when not a TTY. */
  protected listrOptions(): {renderer?: 'silent'; fallbackRendererCondition: boolean} {
    return this.jsonEnabled() ? {renderer: 'silent', fallbackRendererCondition: false} : {fallbackRendererCondition: !process.stdout.isTTY}
  }

  /** The host the shared live views (tasks/failover-tasks.ts) print through. */
  protected view(): {log(line: string): void; listrOptions(): ReturnType<RtopoCommand['listrOptions']>} {
    return {log: (line) => this.log(line), listrOptions: () => this.listrOptions()}
  }

  /**
   * A finished command must not linger on a socket some client library keeps retrying (a node that was just
   * killed): give pending output a moment, then exit. The timer is unref'd, so it never delays a clean exit.
   */
  protected override async finally(error: Error | undefined): Promise<unknown> {
    setTimeout(() => process.exit(), 500).unref()
    return super.finally(error)
  }

  protected override async catch(error: Error & {exitCode?: number}): Promise<unknown> {
    if (error instanceof RtopoError) {
      if (this.jsonEnabled()) {
        this.logJson({status: 'error', ...error.details, error: {name: error.name, message: error.message, suggestions: error.suggestions}})
      } else {
        // Written synchronously: the process exits right after, and a piped stderr would lose async writes.
        const lines = [`Error: ${error.message}`]
        if (error.suggestions.length > 0) lines.push('Try this:', ...error.suggestions.map((s) => `  ${s}`))
        if (process.env.DEBUG?.startsWith('rtopo') && error.stack) lines.push(error.stack)
        writeSync(2, `${lines.join('\n')}\n`)
      }
      this.exit(error.exitCode)
    }
    return super.catch(error)
  }
}
