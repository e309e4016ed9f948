import { TollgateError } from './errors.js'
import {
  checkIssuerHeader,
  checkIssuerTimes,
  findIssuerKey,
  ISSUER_ALGS,
  type IssuerJwtHeader,
  shown,
} from './issuer-jwt.js'
import { decodeJsonObject, decodeJwt } from './jws-parts.js'
import type { Clock, KeySet, OutsideToken, OutsideTokenVerifier } from './ports.js'
import { checkSignature, createKeyCache, type KeyCache } from './verification-keys.js'

/** An issuer on FEDERATION_ISSUERS, and where its keys are when discovery should not be used. */
export interface FederationIssuer {
  /** The exact `iss` of its tokens, e.g. `https://token.actions.githubusercontent.com`. */
  readonly issuer: string
  /** The JWKS URI; absent, it is read from the issuer's OpenID discovery document. */
  readonly jwksUri?: string | undefined
}

/**
 * A JWT from a federation issuer whose signature, header and times hold (the
 * port's OutsideToken, with the header it was checked under); its claims are
 * for a trust policy to judge.
 */
export interface VerifiedOutsideToken extends OutsideToken {
  readonly header: IssuerJwtHeader
}

/** The port's verifier; a refusal throws `invalid_request` with `failed_check` (OutsideTokenCheck). */
export interface StrictOutsideTokenVerifier extends OutsideTokenVerifier {
  verify(jwt: string): Promise<VerifiedOutsideToken>
}

/**
 * Which check refused an outside token, sent as the `failed_check` extension
 * of the `invalid_request` error and named in its detail:
 * - `shape`: size, three canonical base64url segments, JSON objects;
 * - `header`: members, `alg`, `typ` or `kid` not accepted;
 * - `issuer`: `iss` not on FEDERATION_ISSUERS (nothing was fetched);
 * - `key`: no key of that issuer has the `kid` for the `alg`;
 * - `signature`: the signature does not verify with that key;
 * - `times`: `exp`, `nbf`, `iat` missing, out of the skew, or a lifetime over a day;
 * - `subject`: no `sub` to act on behalf of.
 */
export type OutsideTokenCheck =
  | 'shape'
  | 'header'
  | 'issuer'
  | 'key'
  | 'signature'
  | 'times'
  | 'subject'

export interface OutsideTokenVerifierOptions {
  /** FEDERATION_ISSUERS: the only values of `iss` whose keys are ever fetched. */
  readonly issuers: readonly string[]
  /** The key set of one allowed issuer, made once per issuer when the verifier is built. */
  readonly keySetFor: (issuer: string) => KeySet
  readonly clock: Clock
  /** How long an issuer's keys are used before they are read again (KEYS_CACHE_TTL_SECONDS). */
  readonly keysRefreshMs: number
  /** How often an unknown `kid` may refetch one issuer's keys; once a minute unless given. */
  readonly unknownKidRefetchMs?: number | undefined
  /** Told about each published key that is skipped as unusable, by issuer and index. */
  readonly onSkippedKey?: ((issuer: string, index: number, reason: string) => void) | undefined
}

const MAX_SUBJECT_LENGTH = 1024

const refused = (check: OutsideTokenCheck, detail: string, cause?: unknown): TollgateError =>
  new TollgateError('invalid_request', detail, { cause, extensions: { failed_check: check } })

/**
 * The issuer-level verification of an outside OIDC token (RFC 8693 subject
 * token), before any trust policy looks at its audience, age or claims.
 *
 * Primary course:
 * 1. Shape: size cap, three canonical base64url segments, JSON header and payload.
 * 2. Header: only `alg`, `kid`, `typ` and thumbprints; `alg` RS256 or ES256.
 * 3. Issuer: the unverified `iss` must be on the list exactly, so a token
 *    cannot make Tollgate fetch keys from anywhere else.
 * 4. Key by (`iss`, `kid`), fetched and cached per issuer; an unknown `kid`
 *    refetches that issuer's keys at most once a minute.
 * 5. Signature, then `exp`, `nbf`, `iat` (60 s skew, lifetime ≤ a day), then `sub`.
 *
 * A refusal is `invalid_request` (RFC 8693 §2.2.2) whose detail names the
 * check and the value seen, never the token or signature; keys that cannot
 * be fetched are `unavailable`, never a verdict on the caller.
 *
 * @example
 * const outside = createOutsideTokenVerifier({
 *   issuers: ['https://token.actions.githubusercontent.com'],
 *   keySetFor: (issuer) => lazyIssuerKeySet({ issuer }, { allowLoopback: false }, cache),
 *   clock: systemClock,
 *   keysRefreshMs: 300_000,
 * })
 * const { issuer, claims } = await outside.verify(subjectToken)
 */
export const createOutsideTokenVerifier = (
  options: OutsideTokenVerifierOptions,
): StrictOutsideTokenVerifier => {
  const keysByIssuer = new Map<string, KeyCache>(
    options.issuers.map((issuer) => [
      issuer,
      createKeyCache({
        keySet: options.keySetFor(issuer),
        algs: ISSUER_ALGS,
        clock: options.clock,
        refreshMs: options.keysRefreshMs,
        unknownKidRefetchMs: options.unknownKidRefetchMs,
        onSkippedKey: (index, reason) => options.onSkippedKey?.(issuer, index, reason),
      }),
    ]),
  )
  return {
    async verify(jwt) {
      const { parts, payload, rawHeader } = checking('shape', () => {
        const decoded = decodeJwt(jwt)
        return { ...decoded, rawHeader: decodeJsonObject(decoded.parts.header, 'header') }
      })
      const header = checking('header', () => checkIssuerHeader(rawHeader))
      const issuer = payload.iss
      const keys = typeof issuer === 'string' ? keysByIssuer.get(issuer) : undefined
      if (typeof issuer !== 'string' || keys === undefined) {
        throw refused('issuer', `The token's issuer ${shown(issuer)} is not on FEDERATION_ISSUERS.`)
      }
      const key = await findIssuerKey(keys, header, issuer).catch((error: unknown) => {
        throw asRefusal('key', error)
      })
      checking('signature', () => checkSignature(parts.signingInput, parts.signature, key))
      checking('times', () => checkIssuerTimes(payload, options.clock, { nbf: 'required' }))
      const { sub } = payload
      if (typeof sub !== 'string' || sub.length === 0 || sub.length > MAX_SUBJECT_LENGTH) {
        throw refused('subject', `The token's sub ${shown(sub)} is not a usable subject.`)
      }
      return { issuer, header, claims: Object.freeze(payload) }
    },
  }
}

/**
 * Runs one step of the shared checks, whose refusals are `invalid_token`
 * (the code for Tollgate's own bearer JWTs), and answers them as RFC 8693
 * does for a subject token: `invalid_request`, naming the step. Any other
 * error (keys unavailable) passes as it is.
 */
const checking = <T>(check: OutsideTokenCheck, step: () => T): T => {
  try {
    return step()
  } catch (error) {
    throw asRefusal(check, error)
  }
}

const asRefusal = (check: OutsideTokenCheck, error: unknown): unknown =>
  error instanceof TollgateError && error.code === 'invalid_token'
    ? refused(check, error.message, error)
    : error
