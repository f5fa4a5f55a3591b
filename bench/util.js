// What the bench scripts share: finding an installed binary and a free loopback port.

import {execFileSync} from 'node:child_process'
import {createServer} from 'node:net'

/** The path of `name` on PATH, or undefined. */
export const which = (name) => {
  try {
    return execFileSync('which', [name], {encoding: 'utf8'}).trim()
  } catch {
    return undefined
  }
}

/** A loopback port that was free a moment ago (the kernel's pick). */
export const freePort = () => new Promise((resolve) => {
  const s = createServer()
  s.listen(0, '127.0.0.1', () => {
    const {port} = s.address()
    s.close(() => resolve(port))
  })
})
