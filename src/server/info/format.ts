// Number formats INFO uses: bytesToHuman (1.39M, 200B), %.2f, and the seconds.micros of CPU times.

export function bytesToHuman(bytes: number): string {
  const units = ['B', 'K', 'M', 'G', 'T', 'P']
  if (bytes < 1024) return `${bytes}B`
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(2)}${units[unit]}`
}

export const fixed2 = (value: number): string => (Number.isFinite(value) ? value.toFixed(2) : '0.00')

/** Seconds with six decimals from microseconds (used_cpu_sys:0.287363). */
export const microsAsSeconds = (micros: number): string => (micros / 1e6).toFixed(6)
