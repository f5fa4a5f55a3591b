// The function libraries (functions.c): a library context maps library names to libraries and function names
// to functions, with the name rules, the `#!<engine> name=<lib>` metadata line, FUNCTION LOAD's create (with
// REPLACE) and FUNCTION RESTORE's join. Library names are case-sensitive; function names are not, as Redis's
// dict types make them. The engine that compiles and frees function bodies is a port (lua-engine-functions.ts).

import {splitArgs} from '../../../resp/split-args.js'
import type {ScriptFlags} from '../script-flags.js'

export interface FunctionInfo {
  /** As registered (FCALL finds it case-insensitively). */
  readonly name: string
  /** The callback's reference in the engine's Lua registry. */
  readonly ref: number
  readonly description: Buffer | undefined
  readonly flags: ScriptFlags
  readonly library: LibraryInfo
}

export interface LibraryInfo {
  readonly name: string
  readonly engine: string
  /** The whole FUNCTION LOAD payload, metadata line included (what LIST WITHCODE, DUMP and the RDB hold). */
  readonly code: Buffer
  /** The library's own functions, case-sensitive as in Redis's per-library dict. */
  readonly functions: Map<string, FunctionInfo>
}

/** What a library context needs from an engine (function_lua.c's create and free_function callbacks). */
export interface FunctionEngine {
  readonly name: string
  /** Runs the library body so it registers its functions into `library`; an error text when it fails. */
  create(library: LibraryInfo, body: Buffer, timeoutMs: number): string | undefined
  free(fn: FunctionInfo): void
}

export const BAD_NAME = 'Library names can only contain letters, numbers, or underscores(_) and must be at least one character long'

/** functionsVerifyName: [a-zA-Z0-9_]+. */
export function isValidName(name: string): boolean {
  return /^[a-zA-Z0-9_]+$/.test(name)
}

export type Metadata = {engine: string; name: string; body: Buffer} | {error: string}

/** C string view: Redis's strchr / strncmp stop at the first NUL byte. */
const cText = (b: Buffer): string => {
  const nul = b.indexOf(0)
  return b.toString('latin1', 0, nul < 0 ? b.length : nul)
}

/** functionExtractLibMetaData: the engine and library name of the first line; the body keeps that line's \n. */
export function extractMetadata(code: Buffer): Metadata {
  const text = cText(code)
  if (!text.startsWith('#!')) return {error: 'Missing library metadata'}
  const end = text.indexOf('\n')
  if (end < 0) return {error: 'Invalid library metadata'}
  const parts = splitArgs(code.subarray(0, end))
  if (parts === undefined || parts.length === 0) return {error: 'Invalid library metadata'}
  const engine = (parts[0] as Buffer).toString('latin1').slice(2)
  let name: string | undefined
  for (const part of parts.slice(1)) {
    const word = part.toString('latin1')
    if (word.slice(0, 5).toLowerCase() === 'name=') {
      if (name !== undefined) return {error: 'Invalid metadata value, name argument was given multiple times'}
      name = word.slice(5)
      continue
    }
    return {error: `Invalid metadata value given: ${cText(part)}`}
  }
  if (name === undefined) return {error: 'Library name was not given'}
  return {engine, name, body: code.subarray(end)}
}

export class LibraryContext {
  readonly libraries = new Map<string, LibraryInfo>()
  private readonly functions = new Map<string, FunctionInfo>()

  constructor(private readonly engine: FunctionEngine) {}

  get functionCount(): number {
    return this.functions.size
  }

  /** functions_count of FUNCTION STATS: the sum over libraries, as Redis counts it. */
  get registeredCount(): number {
    let n = 0
    for (const library of this.libraries.values()) n += library.functions.size
    return n
  }

  findFunction(name: string): FunctionInfo | undefined {
    return this.functions.get(name.toLowerCase())
  }

  /** functionsCreateWithLibraryCtx: the library's name, or the error text FUNCTION LOAD answers. */
  create(code: Buffer, replace: boolean, timeoutMs: number): {name: string} | {error: string} {
    const md = extractMetadata(code)
    if ('error' in md) return md
    if (!isValidName(md.name)) return {error: BAD_NAME}
    if (md.engine.toLowerCase() !== this.engine.name.toLowerCase()) return {error: `Engine '${md.engine}' not found`}
    const old = this.libraries.get(md.name)
    if (old !== undefined && !replace) return {error: `Library '${md.name}' already exists`}
    const library: LibraryInfo = {name: md.name, engine: this.engine.name, code: Buffer.from(code), functions: new Map()}
    const failure = this.engine.create(library, md.body, timeoutMs) ??
      (library.functions.size === 0 ? 'No functions registered' : this.collision(library, old))
    if (failure !== undefined) {
      this.freeLibrary(library)
      return {error: failure}
    }
    if (old !== undefined) {
      this.unlink(old)
      this.freeLibrary(old)
    }
    this.link(library)
    return {name: md.name}
  }

  /** A function of `library` already known outside the library it replaces. */
  private collision(library: LibraryInfo, replaced: LibraryInfo | undefined): string | undefined {
    for (const fn of library.functions.values()) {
      const existing = this.functions.get(fn.name.toLowerCase())
      if (existing !== undefined && existing.library !== replaced) return `Function ${fn.name} already exists`
    }
    return undefined
  }

  /** FUNCTION DELETE: false when there is no such library. */
  delete(name: string): boolean {
    const library = this.libraries.get(name)
    if (library === undefined) return false
    this.unlink(library)
    this.freeLibrary(library)
    return true
  }

  /** functionsLibCtxClear: every library goes, and its functions are freed in the engine. */
  clear(): void {
    for (const library of this.libraries.values()) this.freeLibrary(library)
    this.libraries.clear()
    this.functions.clear()
  }

  /**
   * libraryJoin: moves every library of `source` here. A library name already here is an error unless
   * `replace` (then the old one goes); a function name already here is always an error. On error nothing moves.
   */
  join(source: LibraryContext, replace: boolean): string | undefined {
    const replaced = new Set<LibraryInfo>()
    for (const library of source.libraries.values()) {
      const old = this.libraries.get(library.name)
      if (old === undefined) continue
      if (!replace) return `Library ${library.name} already exists`
      replaced.add(old)
    }
    for (const fn of source.functions.values()) {
      const existing = this.functions.get(fn.name.toLowerCase())
      if (existing !== undefined && !replaced.has(existing.library)) return `Function ${fn.name} already exists`
    }
    for (const old of replaced) {
      this.unlink(old)
      this.freeLibrary(old)
    }
    for (const library of source.libraries.values()) this.link(library)
    source.libraries.clear()
    source.functions.clear()
    return undefined
  }

  private link(library: LibraryInfo): void {
    for (const fn of library.functions.values()) {
      const key = fn.name.toLowerCase()
      // dictAdd: of two names differing only in case, the first one wins.
      if (!this.functions.has(key)) this.functions.set(key, fn)
    }
    this.libraries.set(library.name, library)
  }

  private unlink(library: LibraryInfo): void {
    for (const fn of library.functions.values()) {
      const key = fn.name.toLowerCase()
      if (this.functions.get(key) === fn) this.functions.delete(key)
    }
    this.libraries.delete(library.name)
  }

  private freeLibrary(library: LibraryInfo): void {
    for (const fn of library.functions.values()) this.engine.free(fn)
  }
}
