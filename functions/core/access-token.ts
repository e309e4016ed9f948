import { BASE62_PATTERN, encodeBase62 } from './base62.js'
import { JWT_AS_ACCESS_TOKEN, looksLikeJwt } from './credential-kinds.js'
import { TollgateError } from './errors.js'
import {
  BODY_LENGTH,
  CHECKSUM_LENGTH,
  SECRET_BYTES,
  SECRET_LENGTH,
  TOKEN_ID_LENGTH,
} from './input-lengths.js'
import { randomBytes } from './node-crypto.js'
import { OWNER_TAG_LENGTH } from './owners.js'

export { ACCESS_TOKEN_LENGTH, TOKEN_ID_LENGTH } from './input-lengths.js'

export type TokenKind = 'service' | 'personal'

const PREFIX_BY_KIND: Readonly<Record<TokenKind, string>> = { service: 'tgs_', personal: 'tgp_' }

/**
 * What a secret scanner matches: `tgs_`/`tgp_`, a base62 body (public token id,
 * then 256 random bits) and a base62 CRC32 of everything before it.
 */
export const ACCESS_TOKEN_PATTERN = new RegExp(
  `^tg[sp]_${BASE62_PATTERN}{${BODY_LENGTH + CHECKSUM_LENGTH}}$`,
)

export interface ParsedAccessToken {
  readonly kind: TokenKind
  /** The public id of the token record: the only lookup key an exchange uses. */
  readonly id: string
  /** The whole token string, as hashed for storage. */
  readonly value: string
}

export interface NewAccessToken extends ParsedAccessToken {
  /** What listings show instead of the secret: prefix plus the last 4 characters. */
  readonly hint: string
}

/** Random bits after the owner tag: ids only need to be unique (a conditional put checks). */
const ID_RANDOM_BYTES = 8

/**
 * Makes a new token id: the owner's tag, then 64 random bits. The tag lets
 * one read fetch a token and its owner item knowing only the id (see
 * `ownerTag`); the id is public, and the secret part of the token carries
 * all of its 256 bits of unguessability.
 *
 * @example
 * newTokenId(ownerTag('sa_4CDLu9FIIpFqLMrVEdgmAC'))
 */
export const newTokenId = (ownerTagValue: string): string =>
  ownerTagValue + encodeBase62(randomBytes(ID_RANDOM_BYTES), TOKEN_ID_LENGTH - OWNER_TAG_LENGTH)

/**
 * Mints a new access token string. The id is public (it names the record);
 * only the 256-bit secret part makes the token unguessable.
 *
 * @example
 * const token = generateAccessToken('service', newTokenId(ownerTag(accountId)))
 */
export const generateAccessToken = (kind: TokenKind, id: string): NewAccessToken => {
  const withoutChecksum =
    PREFIX_BY_KIND[kind] + id + encodeBase62(randomBytes(SECRET_BYTES), SECRET_LENGTH)
  const value = withoutChecksum + checksumOf(withoutChecksum)
  return { kind, id, value, hint: tokenHint(value) }
}

export const tokenHint = (value: string): string => `${value.slice(0, 4)}…${value.slice(-4)}`

/**
 * Checks prefix, length, alphabet and checksum, so that garbage never costs a
 * database read. Throws `invalid_token` without echoing the input; a JWT
 * sent in its place is named as such, with what to do instead.
 */
export const parseAccessToken = (value: unknown): ParsedAccessToken => {
  if (typeof value !== 'string' || !ACCESS_TOKEN_PATTERN.test(value)) {
    throw new TollgateError(
      'invalid_token',
      looksLikeJwt(value) ? JWT_AS_ACCESS_TOKEN : 'The access token is malformed.',
    )
  }
  const withoutChecksum = value.slice(0, -CHECKSUM_LENGTH)
  if (checksumOf(withoutChecksum) !== value.slice(-CHECKSUM_LENGTH)) {
    throw new TollgateError('invalid_token', 'The access token is malformed.')
  }
  const kind: TokenKind = value.startsWith(PREFIX_BY_KIND.service) ? 'service' : 'personal'
  return { kind, id: value.slice(4, 4 + TOKEN_ID_LENGTH), value }
}

const checksumOf = (text: string): string => encodeBase62(BigInt(crc32(text)), CHECKSUM_LENGTH)

/** CRC-32 (IEEE 802.3, as zlib's) lookup table, made on first use. */
let crcTable: Uint32Array | undefined

const makeCrcTable = (): Uint32Array => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
}

/**
 * CRC-32 of an ASCII string, equal to `zlib.crc32(Buffer.from(text, 'ascii'))`.
 * Computed here rather than imported from node:zlib, which every function
 * that parses tokens would otherwise load at cold start (a few ms) for
 * seventy characters.
 */
export const crc32 = (text: string): number => {
  crcTable ??= makeCrcTable()
  let crc = 0xffffffff
  for (let i = 0; i < text.length; i++) {
    crc = (crcTable[(crc ^ text.charCodeAt(i)) & 0xff] ?? 0) ^ (crc >>> 8)
  }
  return (crc ^ 0xffffffff) >>> 0
}
