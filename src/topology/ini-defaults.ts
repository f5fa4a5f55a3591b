// rtopo.ini in the current folder: defaults for `rtopo up` (flags win). Parsed with `ini`; values are strings.

import {existsSync, readFileSync} from 'node:fs'
import {join} from 'node:path'
import ini from 'ini'

export const INI_FILE = 'rtopo.ini'

export interface UpDefaults {
  masters?: number
  replicas?: number
  sentinels?: number
  port?: number
  'sentinel-port'?: number
  quorum?: number
  'down-after'?: number
  'failover-timeout'?: number
  'parallel-syncs'?: number
  password?: string
  engine?: 'bundled' | 'redis'
  'sentinel-engine'?: 'bundled' | 'redis'
  name?: string
  chain?: boolean
  fast?: boolean
  'min-replicas-to-write'?: number
  'min-replicas-max-lag'?: number
}

const NUMERIC = ['masters', 'replicas', 'sentinels', 'port', 'sentinel-port', 'quorum', 'down-after', 'failover-timeout', 'parallel-syncs', 'min-replicas-to-write', 'min-replicas-max-lag']

export class IniError extends Error {
  override readonly name = 'IniError'
}

/** Reads [up] (or top-level keys) from rtopo.ini in `dir`; unknown keys and bad numbers are errors. */
export function readIniDefaults(dir = process.cwd()): UpDefaults {
  const path = join(dir, INI_FILE)
  if (!existsSync(path)) return {}
  const parsed = ini.parse(readFileSync(path, 'utf8')) as Record<string, unknown>
  const section = (typeof parsed.up === 'object' && parsed.up !== null ? parsed.up : parsed) as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const [key, raw] of Object.entries(section)) {
    if (key === 'up' && typeof raw === 'object') continue
    if (NUMERIC.includes(key)) {
      const n = Number(raw)
      if (!Number.isInteger(n)) throw new IniError(`${path}: ${key} = ${String(raw)} is not an integer`)
      out[key] = n
    } else if (key === 'engine' || key === 'sentinel-engine') {
      if (raw !== 'bundled' && raw !== 'redis') throw new IniError(`${path}: ${key} must be bundled or redis, not ${String(raw)}`)
      out[key] = raw
    } else if (key === 'chain' || key === 'fast') {
      const text = String(raw).toLowerCase()
      if (!['true', 'false', 'yes', 'no'].includes(text)) throw new IniError(`${path}: ${key} must be true or false, not ${String(raw)}`)
      out[key] = text === 'true' || text === 'yes'
    }
    else if (key === 'password' || key === 'name') out[key] = String(raw)
    else throw new IniError(`${path}: unknown setting '${key}'`)
  }
  return out as UpDefaults
}

export const INI_TEMPLATE = `; rtopo.ini — defaults for \`rtopo up\` in this folder. Command-line flags win.
[up]
; how many masters (each is its own group), replicas per master, and sentinels
masters = 1
replicas = 2
sentinels = 3
; first server port (counts up) and first sentinel port
port = 6379
sentinel-port = 26379
; sentinel timings in milliseconds
down-after = 5000
failover-timeout = 60000
parallel-syncs = 1
; refuse writes on a master with fewer than N replicas lagging at most max-lag seconds (0 = off)
; min-replicas-to-write = 1
; min-replicas-max-lag = 10
; bundled (the TypeScript engine) or redis (redis-server / redis-sentinel from PATH)
engine = bundled
; the sentinels' engine when it differs, e.g. real redis-sentinel watching bundled servers
; sentinel-engine = redis
; sentinel master name; several masters are named <name>-1, <name>-2 …
name = mymaster
; one password for requirepass, masterauth and sentinel auth-pass
; password = secret
; wire replicas as a chain (master <- replica-1 <- replica-2)
; chain = true
; test-suite timings: failovers in about a second instead of Redis's production timings (see rtopo up --help)
; fast = true
`
