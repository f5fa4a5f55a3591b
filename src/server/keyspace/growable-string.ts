// Strings that grow at their end without being copied each time (sds's sdsMakeRoomFor): a string value is a
// view on a larger backing buffer, and growing writes into the spare room after the view. Bytes inside a view
// are never changed, so a reply or an EXEC result that still holds the old view keeps its bytes. Only the
// newest view of a backing we allocated may grow into it: another view on the same memory (a node pool
// slice, or a value shared by two keys) is copied first.

/** The newest view on each backing this module allocated. */
const newestView = new WeakMap<ArrayBufferLike, Buffer>()

/** sdsMakeRoomFor's greedy rule: double below 1 MB, then 1 MB more. */
const capacityFor = (length: number): number => (length < 1024 * 1024 ? length * 2 : length + 1024 * 1024)

/** `value` grown to `length` bytes (zero-filled), sharing its backing when it can. */
export function grownTo(value: Buffer, length: number): Buffer {
  if (length <= value.length) return value
  const backing = value.buffer
  if (newestView.get(backing) === value && value.byteOffset + length <= backing.byteLength) {
    const grown = Buffer.from(backing, value.byteOffset, length)
    newestView.set(backing, grown)
    return grown
  }
  // Buffer.alloc zero-fills, so the spare room reads as the zeros a grown string must have.
  const fresh = Buffer.alloc(capacityFor(length))
  value.copy(fresh)
  const grown = fresh.subarray(0, length)
  newestView.set(fresh.buffer, grown)
  return grown
}

/** `value` followed by `tail` (APPEND). */
export function appended(value: Buffer, tail: Buffer): Buffer {
  const at = value.length
  const grown = grownTo(value, at + tail.length)
  tail.copy(grown, at)
  return grown
}
