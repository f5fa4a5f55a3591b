// The Redis version this server is compatible with, as INFO, HELLO, the banner and `--version` report it.

export const REDIS_VERSION = '7.0.15'
