// Redis's log lines: "pid:role dd Mon yyyy hh:mm:ss.mmm <level> message" (server.c serverLogRaw).
// The logfile is opened in append mode for every line (created if missing), so a crash loses nothing
// and rotating the file needs no signal; an empty logfile means stdout.

import {appendFileSync} from 'node:fs'

export type LogLevel = 'debug' | 'verbose' | 'notice' | 'warning'
export type LogRole = 'M' | 'S' | 'C' | 'X'

const LEVELS: Record<LogLevel, number> = {debug: 0, verbose: 1, notice: 2, warning: 3}
const MARKS: Record<LogLevel, string> = {debug: '.', verbose: '-', notice: '*', warning: '#'}
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const pad = (n: number, width = 2): string => String(n).padStart(width, '0')

/** "24 Nov 2026 00:29:46.322" in local time, as Redis prints it. */
export function formatLogTime(date: Date): string {
  return `${pad(date.getDate())} ${MONTHS[date.getMonth()]} ${date.getFullYear()} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`
}

export interface LoggerOptions {
  file?: string
  level: LogLevel
  role: LogRole
  pid?: number
}

export class Logger {
  private level: number
  private role: LogRole
  private readonly pid: number

  constructor(private readonly options: LoggerOptions) {
    this.level = LEVELS[options.level]
    this.role = options.role
    this.pid = options.pid ?? process.pid
  }

  setRole(role: LogRole): void {
    this.role = role
  }

  setLevel(level: LogLevel): void {
    this.level = LEVELS[level]
  }

  debug(message: string): void {
    this.log('debug', message)
  }

  verbose(message: string): void {
    this.log('verbose', message)
  }

  notice(message: string): void {
    this.log('notice', message)
  }

  warning(message: string): void {
    this.log('warning', message)
  }

  log(level: LogLevel, message: string): void {
    if (LEVELS[level] < this.level) return
    const line = `${this.pid}:${this.role} ${formatLogTime(new Date())} ${MARKS[level]} ${message}\n`
    if (this.options.file) {
      try {
        appendFileSync(this.options.file, line)
        return
      } catch {
        // Fall back to stdout when the logfile cannot be written (Redis does the same).
      }
    }
    process.stdout.write(line)
  }

  /** Nothing is kept open; present so callers can close uniformly. */
  close(): void {}
}
