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

/** Signs JWS signing input with the current key; returns the JOSE-format signature. */
export interface Signer {
  readonly alg: 'RS256' | 'ES256'
  readonly kid: string
  sign(signingInput: Uint8Array): Promise<Uint8Array>
}

/** A public key that may have signed a still-valid JWT, as published in the JWKS. */
export type PublicJwk = JWK & { readonly kid: string; readonly alg: string; readonly use: 'sig' }

/** Public keys for JWKS and for verification (current, previous, next). */
export interface KeySet {
  publicKeys(): Promise<readonly PublicJwk[]>
}

/** The pepper keying access-token hashes. */
export interface Secrets {
  pepper(): Promise<Uint8Array>
}
