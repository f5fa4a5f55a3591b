// Types for redlock 5.0.0-beta.2, whose package.json "exports" hides its own index.d.ts from NodeNext
// resolution; the subset the application tests use, copied from that file.

declare module 'redlock' {
  import {EventEmitter} from 'node:events'
  import type {Redis} from 'ioredis'

  export interface Settings {
    readonly driftFactor: number
    readonly retryCount: number
    readonly retryDelay: number
    readonly retryJitter: number
    readonly automaticExtensionThreshold: number
  }
  export interface ExecutionResult {
    attempts: ReadonlyArray<Promise<unknown>>
  }
  export class ResourceLockedError extends Error {}
  export class ExecutionError extends Error {
    readonly attempts: ReadonlyArray<Promise<unknown>>
  }
  export class Lock {
    readonly redlock: Redlock
    readonly resources: string[]
    readonly value: string
    expiration: number
    release(): Promise<ExecutionResult>
    extend(duration: number): Promise<Lock>
  }
  export default class Redlock extends EventEmitter {
    readonly scripts: {
      readonly acquireScript: {value: string; hash: string}
      readonly extendScript: {value: string; hash: string}
      readonly releaseScript: {value: string; hash: string}
    }
    constructor(clients: Iterable<Redis>, settings?: Partial<Settings>)
    acquire(resources: string[], duration: number, settings?: Partial<Settings>): Promise<Lock>
    release(lock: Lock, settings?: Partial<Settings>): Promise<ExecutionResult>
    extend(existing: Lock, duration: number, settings?: Partial<Settings>): Promise<Lock>
    quit(): Promise<void>
  }
}
