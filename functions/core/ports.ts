import type { JWK } from 'jose'
import type { AccessTokenRecord, ServiceAccountRecord } from './records.js'

/** Wall clock in epoch milliseconds; injected so tests can freeze time. */
export interface Clock {
  now(): number
}

/** Token and service-account persistence (DynamoDB in production and locally). */
export interface TokenStore {
  /** One strongly consistent read by id; `undefined` when there is no such token. */
  getToken(id: string): Promise<AccessTokenRecord | undefined>
  /**
   * Sets `last_used_at` to `at` only if it is unset or older than `unlessUsedSince`,
   * so a busy token costs at most one write a minute. Losing the race is not an error.
   */
  recordTokenUse(id: string, at: number, unlessUsedSince: number): Promise<void>
  /**
   * Creates a service account together with its first token, atomically. With
   * `asFirstAdmin`, succeeds only once per table: that is what makes start-up
   * bootstrap idempotent. Throws `conflict` when the name (or bootstrap) is taken.
   */
  createServiceAccountWithToken(
    account: ServiceAccountRecord,
    token: AccessTokenRecord,
    options: { readonly asFirstAdmin: boolean; readonly maxActiveTokensPerOwner: number },
  ): Promise<void>
  /** Whether the first admin has been minted in this table. */
  isBootstrapped(): Promise<boolean>
}

export type JwtAlg = 'RS256' | 'ES256'

/** A JWS signature together with the key that made it. */
export interface Signature {
  readonly kid: string
  /** The bytes signed: what `signingInputFor(kid)` returned. */
  readonly signingInput: Uint8Array
  /** JOSE form: RSASSA-PKCS1-v1_5 bytes, or ECDSA `r‖s` (64 bytes for ES256). */
  readonly signature: Uint8Array
}

/**
 * Signs with the current signing key. The signer picks the key first and
 * asks for the signing input with that key's `kid` (the JWS header names
 * it), so the `kid` and the signature always come from one key, also in the
 * middle of a rotation.
 */
export interface Signer {
  readonly alg: JwtAlg
  sign(signingInputFor: (kid: string) => Uint8Array): Promise<Signature>
}

/** A public key that may have signed a still-valid JWT, as published in the JWKS. */
export type PublicJwk = JWK & { readonly kid: string; readonly alg: string; readonly use: 'sig' }

/** Public keys for JWKS and for verification (current, previous, next). */
export interface KeySet {
  publicKeys(): Promise<readonly PublicJwk[]>
}

/** One version of the pepper keying access-token hashes. */
export interface Pepper {
  readonly version: string
  readonly key: Uint8Array
}

/**
 * The pepper, versioned: new secrets are hashed with the current version and
 * each record keeps the version that hashed it, so the pepper can rotate
 * without invalidating a single token.
 */
export interface Secrets {
  currentPepper(): Promise<Pepper>
  /** The pepper of a version a record names; undefined when it is no longer held. */
  pepperOf(version: string): Promise<Uint8Array | undefined>
}
