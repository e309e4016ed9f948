import { TollgateError } from './errors.js'

/** Bytes in each of r and s for P-256 (ES256), RFC 7518 §3.4. */
export const ES256_COMPONENT_LENGTH = 32

const SEQUENCE = 0x30
const INTEGER = 0x02

// A fixed message: the bytes came from a key service, and what is wrong with
// them is for the log's `cause`, never for a client.
const invalidDer = (): TollgateError =>
  new TollgateError('internal', 'The key service returned a malformed ECDSA signature.')

/**
 * Converts a DER `ECDSA-Sig-Value` (RFC 3279 §2.2.3, what KMS and OpenSSL
 * return) into the JOSE form, `r‖s` with each half left-padded to
 * `componentLength` bytes (RFC 7518 §3.4).
 *
 * Strict DER only: definite minimal lengths, minimal non-negative non-zero
 * INTEGERs, nothing after the SEQUENCE. A lenient parser would accept many
 * spellings of one signature, and garbage from a faulty dependency must fail
 * here rather than become a JWT no one can verify.
 *
 * @example
 * const jose = derToJose(kmsSignature) // 64 bytes for ES256
 */
export const derToJose = (
  der: Uint8Array,
  componentLength: number = ES256_COMPONENT_LENGTH,
): Uint8Array => {
  if (der[0] !== SEQUENCE) throw invalidDer()
  const sequence = readLength(der, 1)
  if (sequence.next + sequence.length !== der.length) throw invalidDer()
  const r = readInteger(der, sequence.next, componentLength)
  const s = readInteger(der, r.next, componentLength)
  if (s.next !== der.length) throw invalidDer()
  const jose = new Uint8Array(componentLength * 2)
  jose.set(r.value, componentLength - r.value.length)
  jose.set(s.value, componentLength * 2 - s.value.length)
  return jose
}

/**
 * The inverse of {@link derToJose}: JOSE `r‖s` to minimal DER. Useful to
 * hand a JOSE signature to an API that wants DER.
 *
 * @example
 * const der = joseToDer(signature) // verify(..., { key, dsaEncoding: 'der' }, der)
 */
export const joseToDer = (
  jose: Uint8Array,
  componentLength: number = ES256_COMPONENT_LENGTH,
): Uint8Array => {
  if (jose.length !== componentLength * 2) throw invalidJose()
  const r = encodeInteger(jose.subarray(0, componentLength))
  const s = encodeInteger(jose.subarray(componentLength))
  const body = Buffer.concat([r, s])
  return Uint8Array.from(Buffer.concat([Buffer.from([SEQUENCE]), encodeLength(body.length), body]))
}

const invalidJose = (): TollgateError =>
  new TollgateError('internal', 'The ECDSA signature does not have the JOSE length.')

/** A DER length at `offset`: short form, or long form only where short cannot express it. */
const readLength = (bytes: Uint8Array, offset: number): { length: number; next: number } => {
  const first = bytes[offset]
  if (first === undefined) throw invalidDer()
  if (first < 0x80) return { length: first, next: offset + 1 }
  // 0x80 is BER's indefinite length; more than one length byte would mean an
  // ECDSA signature over 255 bytes, beyond any curve we sign with.
  if (first !== 0x81) throw invalidDer()
  const length = bytes[offset + 1]
  if (length === undefined || length < 0x80) throw invalidDer()
  return { length, next: offset + 2 }
}

/** A positive INTEGER of at most `componentLength` bytes, without its sign byte. */
const readInteger = (
  bytes: Uint8Array,
  offset: number,
  componentLength: number,
): { value: Uint8Array; next: number } => {
  if (bytes[offset] !== INTEGER) throw invalidDer()
  const { length, next } = readLength(bytes, offset + 1)
  const end = next + length
  if (length === 0 || end > bytes.length) throw invalidDer()
  const content = bytes.subarray(next, end)
  const first = content[0] ?? 0
  const second = content[1] ?? 0
  // The high bit makes an INTEGER negative; r and s never are.
  if (first & 0x80) throw invalidDer()
  // A leading zero is only allowed (and then required) before a high bit.
  if (first === 0 && length > 1 && (second & 0x80) === 0) throw invalidDer()
  const value = first === 0 && length > 1 ? content.subarray(1) : content
  if (value.length > componentLength || value.every((byte) => byte === 0)) throw invalidDer()
  return { value, next: end }
}

const encodeInteger = (half: Uint8Array): Buffer => {
  let start = 0
  while (start < half.length && half[start] === 0) start++
  if (start === half.length) throw invalidJose()
  const magnitude = half.subarray(start)
  const content =
    (magnitude[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), magnitude]) : magnitude
  return Buffer.concat([Buffer.from([INTEGER]), encodeLength(content.length), content])
}

const encodeLength = (length: number): Buffer =>
  length < 0x80 ? Buffer.from([length]) : Buffer.from([0x81, length])
