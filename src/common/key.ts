// Binary-safe keys: Map keys are the latin1 decoding of the raw bytes, an exact byte-for-byte mapping.

export const keyOf = (buf: Buffer): string => buf.toString('latin1')
export const keyBytes = (key: string): Buffer => Buffer.from(key, 'latin1')
