// The replication backlog (replication.md §1, §8): a ring buffer of the newest stream bytes, so a replica
// that reconnects can be sent just what it missed (PSYNC +CONTINUE) instead of a whole snapshot.
// Stream bytes are numbered from 1; the backlog holds bytes firstByteOffset … firstByteOffset+histlen-1.

export class ReplicationBacklog {
  private buffer: Buffer
  /** Where the next byte is written in the ring. */
  private writeIndex = 0
  private held = 0

  /** Number of the oldest byte held. */
  firstByteOffset: number

  constructor(size: number, nextOffset: number) {
    this.buffer = Buffer.alloc(Math.max(16 * 1024, size))
    this.firstByteOffset = nextOffset
  }

  get size(): number {
    return this.buffer.length
  }

  /** How many bytes are held (repl_backlog_histlen). */
  get histlen(): number {
    return this.held
  }

  append(bytes: Buffer): void {
    const size = this.buffer.length
    let data = bytes
    if (data.length > size) {
      // Only the tail fits; the bytes before it are gone as if written and overwritten.
      this.firstByteOffset += this.held + data.length - size
      this.held = 0
      data = data.subarray(data.length - size)
      data.copy(this.buffer, 0)
      this.writeIndex = 0
      this.held = size
      return
    }
    const firstPart = Math.min(data.length, size - this.writeIndex)
    data.copy(this.buffer, this.writeIndex, 0, firstPart)
    if (firstPart < data.length) data.copy(this.buffer, 0, firstPart)
    this.writeIndex = (this.writeIndex + data.length) % size
    const overflow = Math.max(0, this.held + data.length - size)
    this.held = Math.min(size, this.held + data.length)
    this.firstByteOffset += overflow
  }

  /** True when every byte from `offset` to the newest one is held (offset may be one past the newest). */
  covers(offset: number): boolean {
    return offset >= this.firstByteOffset && offset <= this.firstByteOffset + this.held
  }

  /** The held bytes from stream byte `offset` to the newest; check covers() first. */
  readFrom(offset: number): Buffer {
    const count = this.firstByteOffset + this.held - offset
    if (count <= 0) return Buffer.alloc(0)
    const size = this.buffer.length
    const start = (this.writeIndex - count + size * 2) % size
    if (start + count <= size) return Buffer.from(this.buffer.subarray(start, start + count))
    return Buffer.concat([this.buffer.subarray(start), this.buffer.subarray(0, (start + count) % size)])
  }

  /** CONFIG SET repl-backlog-size: keeps the newest bytes that fit. */
  resize(size: number, nextOffset: number): void {
    const kept = this.readFrom(Math.max(this.firstByteOffset, nextOffset - Math.max(16 * 1024, size)))
    this.buffer = Buffer.alloc(Math.max(16 * 1024, size))
    this.writeIndex = 0
    this.held = 0
    this.firstByteOffset = nextOffset - kept.length
    this.append(kept)
    this.firstByteOffset = nextOffset - kept.length
  }
}
