// Redis functions as the server sees them: the current library context on the one Lua engine, and what the
// FUNCTION subcommands, FCALL, the RDB writer/loader and a replica's full sync do to it. FUNCTION RESTORE and
// RDB loading fill a staging context first, so a payload that fails halfway changes nothing.

import type {ScriptApiHost} from '../redis-api.js'
import type {LuaSandbox} from '../sandbox.js'
import {encodeFunctionRecords, functionDumpPayload, readFunctionPayload} from './dump-format.js'
import {LibraryContext, type FunctionInfo} from './libraries.js'
import {LuaFunctionEngine} from './lua-engine-functions.js'

/** functions.c LOAD_TIMEOUT_MS: how long a library body may run while it loads (0 = no limit). */
export const LOAD_TIMEOUT_MS = 500

export type RestorePolicy = 'flush' | 'append' | 'replace'

export class Functions {
  readonly engine: LuaFunctionEngine
  private current: LibraryContext

  constructor(sandbox: LuaSandbox, api: ScriptApiHost, nowMs: () => number) {
    this.engine = new LuaFunctionEngine(sandbox, api, nowMs)
    this.current = new LibraryContext(this.engine)
  }

  get libraries(): LibraryContext {
    return this.current
  }

  find(name: string): FunctionInfo | undefined {
    return this.current.findFunction(name)
  }

  /** FUNCTION LOAD: the library name, or the error text. */
  load(code: Buffer, replace: boolean, timeoutMs: number): {name: string} | {error: string} {
    return this.current.create(code, replace, timeoutMs)
  }

  delete(name: string): boolean {
    return this.current.delete(name)
  }

  flush(): void {
    this.current.clear()
  }

  /** The FUNCTION2 records of every library (rdbSaveFunctions), for RDB files and full syncs. */
  rdbRecords(compress: boolean): Buffer {
    return encodeFunctionRecords([...this.current.libraries.values()].map((l) => l.code), compress)
  }

  dump(compress: boolean): Buffer {
    return functionDumpPayload(this.rdbRecords(compress))
  }

  /** FUNCTION RESTORE: undefined on success, else the error text (and nothing changed). */
  restore(payload: Buffer, policy: RestorePolicy): string | undefined {
    const staged = new LibraryContext(this.engine)
    const failure = readFunctionPayload(payload, (code) => {
      const created = staged.create(code, false, 0)
      return 'error' in created ? created.error : undefined
    }) ?? (policy === 'flush' ? undefined : this.current.join(staged, policy === 'replace'))
    if (failure !== undefined) {
      staged.clear()
      return failure
    }
    if (policy === 'flush') this.swap(staged)
    return undefined
  }

  /**
   * Loading an RDB (start-up or a replica's full sync): a fresh context that the reader's hook fills, each
   * library with REPLACE semantics; `commit` makes it current, `discard` frees it.
   */
  stageForRdb(): {loadFunction: (code: Buffer) => string | undefined; commit: () => void; discard: () => void} {
    const staged = new LibraryContext(this.engine)
    return {
      loadFunction: (code) => {
        const created = staged.create(code, true, 0)
        return 'error' in created ? created.error : undefined
      },
      commit: () => this.swap(staged),
      discard: () => staged.clear(),
    }
  }

  private swap(next: LibraryContext): void {
    this.current.clear()
    this.current = next
  }
}
