import { TollgateError } from './errors.js'
import { MAX_JWT_LENGTH } from './input-lengths.js'

/** Longest protected-header segment; ours (`{alg, kid, typ}`) is about 100 characters. */
export const MAX_HEADER_SEGMENT_LENGTH = 1024

/** Three non-empty segments of the base64url alphabet (no padding, no `+` or `/`). */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/

export interface CompactJwsParts {
  readonly header: string
  readonly payload: string
  readonly signature: string
  /** `header.payload`, the bytes the signature covers. */
  readonly signingInput: string
}

const invalid = (detail: string): TollgateError => new TollgateError('invalid_token', detail)

/**
 * Splits a compact JWS after the cheap checks that need no decoding: size,
 * header size, exactly three segments, strict and canonical base64url.
 * Throws `invalid_token`; the detail never echoes the input.
 *
 * @example
 * const { header, signingInput } = splitCompactJws(jwt)
 */
export const splitCompactJws = (jwt: string): CompactJwsParts => {
  if (jwt.length > MAX_JWT_LENGTH) {
    throw invalid(`The JWT is too long: ${jwt.length} characters, at most ${MAX_JWT_LENGTH}.`)
  }
  const firstDot = jwt.indexOf('.')
  if (firstDot > MAX_HEADER_SEGMENT_LENGTH) throw invalid('The JWT header is too long.')
  if (!COMPACT_JWS.test(jwt)) throw invalid('The JWT is not three base64url segments.')
  const secondDot = jwt.indexOf('.', firstDot + 1)
  const parts = {
    header: jwt.slice(0, firstDot),
    payload: jwt.slice(firstDot + 1, secondDot),
    signature: jwt.slice(secondDot + 1),
    signingInput: jwt.slice(0, secondDot),
  }
  if (
    !hasCanonicalEnd(parts.header) ||
    !hasCanonicalEnd(parts.payload) ||
    !hasCanonicalEnd(parts.signature)
  ) {
    throw invalid('The JWT is not canonical base64url.')
  }
  return parts
}

/**
 * Whether an unpadded base64url string (alphabet already checked) is the one
 * encoding of its bytes: no impossible length, and zero bits after the last
 * byte. Without this, up to 16 spellings of one signature would all verify,
 * and "a different string is a different token" would not hold.
 */
const hasCanonicalEnd = (segment: string): boolean => {
  const remainder = segment.length % 4
  if (remainder === 0) return true
  if (remainder === 1) return false
  const last = sextet(segment.charCodeAt(segment.length - 1))
  return remainder === 2 ? (last & 0b1111) === 0 : (last & 0b11) === 0
}

/** The 6-bit value of a base64url character (alphabet already checked). */
const sextet = (code: number): number => {
  if (code >= 97) return code - 71 // a-z → 26..51
  if (code >= 65) return code - 65 // A-Z → 0..25
  if (code >= 48) return code + 4 // 0-9 → 52..61
  return code === 45 ? 62 : 63 // '-' or '_'
}

/**
 * Decodes a base64url segment holding a JSON object. Arrays, primitives,
 * invalid JSON and an own `__proto__` member are refused; the parser's own
 * message is dropped because it may quote the input.
 */
export const decodeJsonObject = (segment: string, what: string): Record<string, unknown> => {
  let value: unknown
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
  } catch {
    throw invalid(`The JWT ${what} is not JSON.`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`The JWT ${what} is not a JSON object.`)
  }
  if (Object.hasOwn(value, '__proto__')) throw invalid(`The JWT ${what} has a forbidden member.`)
  return value as Record<string, unknown>
}

/** A JWT split once and its payload decoded once, for whichever verifier its `iss` picks. */
export interface DecodedJwt {
  readonly jwt: string
  readonly parts: CompactJwsParts
  /** The payload object, not verified yet. */
  readonly payload: Record<string, unknown>
}

/**
 * Splits a JWT and decodes its payload (`splitCompactJws`, `decodeJsonObject`),
 * for a caller that must read `iss` before it can choose a verifier: the
 * verifier then takes it as it is instead of decoding the JWT again.
 *
 * @example
 * const decoded = decodeJwt(jwt)
 * const claims = people.trusts(decoded.payload.iss) ? await people.verify(decoded) : await tollgate.verify(decoded)
 */
export const decodeJwt = (jwt: string): DecodedJwt => {
  const parts = splitCompactJws(jwt)
  return { jwt, parts, payload: decodeJsonObject(parts.payload, 'payload') }
}
