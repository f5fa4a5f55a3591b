// INFO server, clients, cpu, modules and cluster (server.c genRedisInfoString), with Redis 7.0's field
// names and order. Build facts that do not apply to a Node.js process are reported as Redis would
// report their neutral value.

import {release, type as osType, arch, totalmem} from 'node:os'
import {realpathSync} from 'node:fs'
import type {Server} from '../server.js'
import {REDIS_VERSION} from '../version.js'
import {microsAsSeconds} from './format.js'

export function serverSection(server: Server, configFile: string): string[] {
  const now = server.clock.nowMs()
  const uptimeSec = Math.floor((now - server.startedAtMs) / 1000)
  const hz = server.config.get('hz') ?? '10'
  return [
    `redis_version:${REDIS_VERSION}`,
    'redis_git_sha1:00000000',
    'redis_git_dirty:0',
    'redis_build_id:0000000000000000',
    `redis_mode:${server.mode}`,
    `os:${osType()} ${release()} ${arch() === 'x64' ? 'x86_64' : arch()}`,
    'arch_bits:64',
    'monotonic_clock:POSIX clock_gettime',
    'multiplexing_api:epoll',
    'atomicvar_api:c11-builtin',
    'gcc_version:0.0.0',
    `process_id:${process.pid}`,
    'process_supervised:no',
    `run_id:${server.runId}`,
    `tcp_port:${server.config.port()}`,
    `server_time_usec:${now * 1000}`,
    `uptime_in_seconds:${uptimeSec}`,
    `uptime_in_days:${Math.floor(uptimeSec / 86400)}`,
    `hz:${hz}`,
    `configured_hz:${hz}`,
    `lru_clock:${Math.floor(now / 1000) & 0xffffff}`,
    `executable:${executable()}`,
    `config_file:${configFile}`,
    'io_threads_active:0',
  ]
}

function executable(): string {
  const script = process.argv[1]
  if (script === undefined) return process.execPath
  try {
    return realpathSync(script)
  } catch {
    return script
  }
}

export function clientsSection(server: Server): string[] {
  let connected = 0
  for (const {client} of server.clients.values()) if (client.kind !== 'replica') connected++
  return [
    `connected_clients:${connected}`,
    'cluster_connections:0',
    `maxclients:${server.config.maxclients()}`,
    'client_recent_max_input_buffer:0',
    'client_recent_max_output_buffer:0',
    `blocked_clients:${server.blocking.count}`,
    `tracking_clients:${server.tracking.clientCount}`,
    `clients_in_timeout_table:${server.blocking.withTimeout}`,
  ]
}

export function cpuSection(): string[] {
  const usage = process.cpuUsage()
  return [
    `used_cpu_sys:${microsAsSeconds(usage.system)}`,
    `used_cpu_user:${microsAsSeconds(usage.user)}`,
    'used_cpu_sys_children:0.000000',
    'used_cpu_user_children:0.000000',
    `used_cpu_sys_main_thread:${microsAsSeconds(usage.system)}`,
    `used_cpu_user_main_thread:${microsAsSeconds(usage.user)}`,
  ]
}

export const clusterSection = (): string[] => ['cluster_enabled:0']

export const totalSystemMemory = (): number => totalmem()
