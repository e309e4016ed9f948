import { TollgateError } from './errors.js'
import { CLOCK_SKEW_SECONDS } from './jwt-verifier.js'
import type { Clock, JwtAlg } from './ports.js'
import { type KeyCache, kidOf, type VerificationKey } from './verification-keys.js'

/**
 * The strict checks every JWT from an outside issuer goes through, whoever
 * it is for: people's identity providers (`person-verifier.ts`) and
 * federation's workload issuers (`outside-token.ts`). Each throws
 * `invalid_token` with a detail that names the check and the value seen,
 * never the token or its signature; a caller that answers with another code
 * translates.
 */

/** Only asymmetric algorithms with a key the issuer publishes: no `none`, HMAC, PSS or EdDSA. */
export const ISSUER_ALGS: readonly JwtAlg[] = ['RS256', 'ES256']
/** No outside token Tollgate accepts lives longer than a day. */
export const MAX_ISSUER_JWT_LIFETIME_SECONDS = 86_400

/**
 * Header members an issuer may send. Keys and key URLs chosen by the token
 * (`jwk`, `jku`, `x5u`, `x5c`) and extensions (`crit`, `b64`, `zip`) are
 * refused; certificate thumbprints are harmless and some issuers (GitHub
 * Actions, Entra) always send them.
 */
const HEADER_MEMBERS = new Set(['alg', 'kid', 'typ', 'x5t', 'x5t#S256'])
/** ID tokens and RFC 9068 access tokens; absent is fine (Kubernetes sends none). */
const TYPES = new Set(['jwt', 'at+jwt', 'application/at+jwt'])
/** Values echoed in a refusal are cut to this length: they come from the caller. */
const SHOWN_LENGTH = 64

/** The protected header of an issuer's JWT once it passed `checkIssuerHeader`. */
export interface IssuerJwtHeader {
  readonly alg: JwtAlg
  readonly kid: string
  readonly typ?: string
}

const invalid = (detail: string): TollgateError => new TollgateError('invalid_token', detail)

/**
 * A caller's value as it may appear in a refusal: JSON, at most 64 characters.
 *
 * @example
 * throw invalid(`The JWT algorithm ${shown(header.alg)} is not accepted.`) // … "HS256" …
 */
export const shown = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value)
  return text.length > SHOWN_LENGTH ? `${text.slice(0, SHOWN_LENGTH)}…` : text
}

/**
 * Checks the header of an issuer's JWT: known members only, `alg` RS256 or
 * ES256, `typ` absent or a JWT type, a usable `kid`.
 *
 * @example
 * const { alg, kid } = checkIssuerHeader(decodeJsonObject(parts.header, 'header'))
 */
export const checkIssuerHeader = (header: Record<string, unknown>): IssuerJwtHeader => {
  for (const member in header) {
    if (!HEADER_MEMBERS.has(member)) {
      throw invalid(`The JWT header member ${shown(member)} is not accepted.`)
    }
  }
  const { alg, typ } = header
  if (alg !== 'RS256' && alg !== 'ES256') {
    throw invalid(`The JWT algorithm ${shown(alg)} is not accepted: only RS256 and ES256.`)
  }
  if (typ !== undefined && !(typeof typ === 'string' && TYPES.has(typ.toLowerCase()))) {
    throw invalid(`The JWT type ${shown(typ)} is not accepted.`)
  }
  const kid = kidOf(header)
  return typeof typ === 'string' ? { alg, kid, typ } : { alg, kid }
}

/**
 * The issuer's key for the header's `kid`, reloading the issuer's key set
 * when it is due or (throttled) when the `kid` is unknown. The key's own
 * algorithm must be the header's: an ES256 key never checks an RS256 token.
 * A key set that cannot be read throws its own error (`unavailable`).
 *
 * @example
 * const key = await findIssuerKey(keys, header, 'https://token.actions.githubusercontent.com')
 */
export const findIssuerKey = async (
  keys: KeyCache,
  header: IssuerJwtHeader,
  issuer: string,
): Promise<VerificationKey> => {
  const key = keys.find(header.kid) ?? (await keys.findAfterRefresh(header.kid))
  if (key === undefined || key.alg !== header.alg) {
    throw invalid(
      `The JWT key id ${shown(header.kid)} names no ${header.alg} key published by ${shown(issuer)}.`,
    )
  }
  return key
}

/**
 * Checks `exp`, `iat` (and `nbf`: required or optional) with 60 s skew and a
 * lifetime of at most a day.
 *
 * @example
 * checkIssuerTimes(payload, clock, { nbf: 'required' })
 */
export const checkIssuerTimes = (
  payload: Record<string, unknown>,
  clock: Clock,
  options: { readonly nbf: 'required' | 'optional' },
): void => {
  const exp = timeClaim(payload, 'exp')
  const iat = timeClaim(payload, 'iat')
  const nbf =
    payload.nbf === undefined && options.nbf === 'optional' ? undefined : timeClaim(payload, 'nbf')
  const now = clock.now() / 1000
  const shownNow = Math.floor(now)
  if (now >= exp + CLOCK_SKEW_SECONDS) {
    throw invalid(
      `The JWT has expired: exp ${exp} is before now (${shownNow}) beyond 60 s of skew.`,
    )
  }
  if (nbf !== undefined && nbf > now + CLOCK_SKEW_SECONDS) {
    throw invalid(
      `The JWT is not valid yet: nbf ${nbf} is after now (${shownNow}) beyond 60 s of skew.`,
    )
  }
  if (iat > now + CLOCK_SKEW_SECONDS) {
    throw invalid(`The JWT was issued in the future: iat ${iat} is after now (${shownNow}).`)
  }
  if (exp <= iat || exp - iat > MAX_ISSUER_JWT_LIFETIME_SECONDS) {
    throw invalid(
      `The JWT lifetime (exp − iat = ${exp - iat} s) is not accepted: at most ${MAX_ISSUER_JWT_LIFETIME_SECONDS} s.`,
    )
  }
}

const timeClaim = (payload: Record<string, unknown>, name: 'exp' | 'iat' | 'nbf'): number => {
  const value = payload[name]
  if (value === undefined) throw invalid(`The JWT has no ${name} claim.`)
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalid(`The JWT claim ${name} must be a number of seconds, not ${shown(value)}.`)
  }
  return value
}
