// The part of the server that command handlers may reach (config values, INFO data, replication role …).
// Implemented by server.ts; kept as an interface so command groups do not import the composition root.

export interface ServerContext {
  /** Current value of a config directive as CONFIG GET shows it, or undefined when unknown. */
  getConfig(name: string): string | undefined
  /** True when this server is a replica (affects expiry and the READONLY gate). */
  isReplica(): boolean
}
