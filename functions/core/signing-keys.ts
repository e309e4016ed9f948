import type { JsonWebKey, KeyObject } from 'node:crypto'
import * as z from 'zod/mini'
import { TollgateError } from './errors.js'
import { jwkThumbprint } from './jwk-thumbprint.js'
import { createPrivateKey, generateKeyPairSync } from './node-crypto.js'
import type { JwtAlg, PublicJwk } from './ports.js'

/** The private members of each key type: exactly what is kept, nothing else is copied. */
const PRIVATE_MEMBERS = {
  RSA: ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'],
  EC: ['crv', 'x', 'y', 'd'],
} as const
const KTY_BY_ALG = { RS256: 'RSA', ES256: 'EC' } as const

/** A private JWK of one of our two key types, its members as in RFC 7518 §6. */
export type PrivateJwk = { readonly kty: 'RSA' | 'EC' } & Readonly<Record<string, string>>

/** One signing key as held in the signing-key secret (KEY_SOURCE=secrets-manager). */
export interface SigningKey {
  /** RFC 7638 thumbprint of the public key: names the key and never anything else. */
  readonly kid: string
  readonly alg: JwtAlg
  /** Epoch ms by which the public key was (at the latest) in the published key set. */
  readonly publishedAt: number
  /** Epoch ms by which (at the latest) this key stopped being `current`; only on `previous`. */
  readonly supersededAt?: number | undefined
  readonly privateJwk: PrivateJwk
}

/** The signing-key secret: `current` signs, `next` waits to, `previous` still verifies. */
export interface SigningKeySet {
  readonly current: SigningKey
  readonly previous?: SigningKey | undefined
  readonly next?: SigningKey | undefined
  /** Epoch ms when this state was computed (a rotation step refuses a stale one). */
  readonly updatedAt: number
}

const time = z.number().check(z.int(), z.nonnegative())
const keySchema = z.looseObject({
  kty: z.enum(['RSA', 'EC']),
  kid: z.string().check(z.minLength(1), z.maxLength(128)),
  alg: z.enum(['RS256', 'ES256']),
  published_at: time,
  superseded_at: z.optional(time),
})
const setSchema = z.object({
  current: keySchema,
  previous: z.optional(keySchema),
  next: z.optional(keySchema),
  updated_at: time,
})

// Fixed messages: this text is the secret itself, and parsers quote their input.
const invalidSet = (): TollgateError =>
  new TollgateError('internal', 'The signing-key secret does not hold a valid key set.')

/**
 * Parses and checks the signing-key secret: each key loads, is an RSA ≥ 2048
 * or P-256 key matching its `alg`, and its `kid` is its thumbprint; `previous`
 * records when it was superseded; no two keys share a `kid`. Errors name no value.
 *
 * @example
 * const keys = parseSigningKeySet(secretString)
 */
export const parseSigningKeySet = (text: string): SigningKeySet => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw invalidSet()
  }
  const parsed = setSchema.safeParse(json)
  if (!parsed.success) throw invalidSet()
  const { current, previous, next, updated_at } = parsed.data
  const set: SigningKeySet = {
    current: toSigningKey(current),
    previous: previous === undefined ? undefined : toSigningKey(previous),
    next: next === undefined ? undefined : toSigningKey(next),
    updatedAt: updated_at,
  }
  if (set.previous !== undefined && set.previous.supersededAt === undefined) throw invalidSet()
  const kids = signingKeysOf(set).map((key) => key.kid)
  if (new Set(kids).size !== kids.length) throw invalidSet()
  return set
}

/**
 * The JSON the signing-key secret holds (private material: never log it).
 *
 * @example
 * await putSecretString(client, arn, serializeSigningKeySet(keys), { versionId: token })
 */
export const serializeSigningKeySet = (set: SigningKeySet): string =>
  JSON.stringify({
    current: toSecretJson(set.current),
    ...(set.previous === undefined ? {} : { previous: toSecretJson(set.previous) }),
    ...(set.next === undefined ? {} : { next: toSecretJson(set.next) }),
    updated_at: set.updatedAt,
  })

/**
 * Current, previous and next, in that order, whichever are present.
 *
 * @example
 * const kids = signingKeysOf(keys).map((key) => key.kid)
 */
export const signingKeysOf = (set: SigningKeySet): readonly SigningKey[] =>
  [set.current, set.previous, set.next].filter((key) => key !== undefined)

/**
 * The public half as published in the JWKS: only the public members.
 *
 * @example
 * const jwks = { keys: signingKeysOf(set).map(publicJwkOf) }
 */
export const publicJwkOf = (key: SigningKey): PublicJwk => ({
  ...publicMembers(key.privateJwk),
  kid: key.kid,
  alg: key.alg,
  use: 'sig',
})

/**
 * The key as a node:crypto KeyObject, for signing.
 *
 * @example
 * const signature = sign('sha256', input, privateKeyOf(keys.current))
 */
export const privateKeyOf = (key: SigningKey): KeyObject =>
  createPrivateKey({ key: key.privateJwk as JsonWebKey, format: 'jwk' })

/**
 * A fresh key pair for `alg`, stamped with the time by which it will be published.
 *
 * @example
 * const next = generateSigningKey('ES256', publishBy)
 */
export const generateSigningKey = (alg: JwtAlg, publishedAt: number): SigningKey => {
  const { privateKey } =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const privateJwk = pick(privateKey.export({ format: 'jwk' }) as Record<string, unknown>)
  if (privateJwk === undefined) throw new Error('node:crypto exported an unexpected JWK')
  return { kid: jwkThumbprint(privateJwk), alg, publishedAt, privateJwk }
}

const publicMembers = (jwk: PrivateJwk): Record<string, string> =>
  jwk.kty === 'RSA'
    ? { kty: 'RSA', n: jwk.n ?? '', e: jwk.e ?? '' }
    : { kty: 'EC', crv: jwk.crv ?? '', x: jwk.x ?? '', y: jwk.y ?? '' }

/** Only the members of PRIVATE_MEMBERS, each a non-empty string; else undefined. */
const pick = (jwk: Record<string, unknown>): PrivateJwk | undefined => {
  const kty = jwk.kty
  if (kty !== 'RSA' && kty !== 'EC') return undefined
  const picked: Record<string, string> = { kty }
  for (const member of PRIVATE_MEMBERS[kty]) {
    const value = jwk[member]
    if (typeof value !== 'string' || value.length === 0) return undefined
    picked[member] = value
  }
  return picked as PrivateJwk
}

const toSigningKey = (json: z.infer<typeof keySchema>): SigningKey => {
  const privateJwk = pick(json)
  if (privateJwk === undefined || privateJwk.kty !== KTY_BY_ALG[json.alg]) throw invalidSet()
  if (json.kid !== jwkThumbprint(privateJwk)) throw invalidSet()
  const key: SigningKey = {
    kid: json.kid,
    alg: json.alg,
    publishedAt: json.published_at,
    supersededAt: json.superseded_at,
    privateJwk,
  }
  let details: KeyObject['asymmetricKeyDetails']
  try {
    details = privateKeyOf(key).asymmetricKeyDetails
  } catch {
    throw invalidSet()
  }
  const usable =
    json.alg === 'RS256'
      ? (details?.modulusLength ?? 0) >= 2048
      : details?.namedCurve === 'prime256v1'
  if (!usable) throw invalidSet()
  return key
}

const toSecretJson = (key: SigningKey) => ({
  ...key.privateJwk,
  kid: key.kid,
  alg: key.alg,
  published_at: key.publishedAt,
  ...(key.supersededAt === undefined ? {} : { superseded_at: key.supersededAt }),
})
