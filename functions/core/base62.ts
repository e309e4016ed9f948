const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'
const BASE = 62n

/** Characters a base62 string may hold, for format checks done before any decoding. */
export const BASE62_PATTERN = '[0-9A-Za-z]'

/**
 * Encodes bytes (or an unsigned integer) as base62, left-padded with '0' to
 * `width` characters so that every encoding of the same size has one length.
 *
 * @example
 * encodeBase62(randomBytes(32), 43)
 */
export const encodeBase62 = (value: Uint8Array | bigint, width: number): string => {
  let n = typeof value === 'bigint' ? value : bytesToBigInt(value)
  let out = ''
  while (n > 0n) {
    out = ALPHABET[Number(n % BASE)] + out
    n /= BASE
  }
  if (out.length > width) throw new RangeError(`value needs more than ${width} base62 digits`)
  return out.padStart(width, '0')
}

/** Number of base62 digits needed for `bytes` random bytes. */
export const base62Width = (bytes: number): number => Math.ceil((bytes * 8) / Math.log2(62))

const bytesToBigInt = (bytes: Uint8Array): bigint => {
  let n = 0n
  for (const byte of bytes) n = (n << 8n) | BigInt(byte)
  return n
}
