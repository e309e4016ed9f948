import { cachedValue } from '../core/cached-value.js'
import { TollgateError } from '../core/errors.js'
import type { FederationIssuer } from '../core/outside-token.js'
import type { Clock, KeySet } from '../core/ports.js'
import { fetchJwks, fetchRemoteJson, type RemoteJwksOptions } from './remote-jwks.js'

/** How every fetch for the issuer is made: the hardened fetcher's options but the URI. */
export type IssuerFetchOptions = Omit<RemoteJwksOptions, 'uri'>

/**
 * Where an issuer's OpenID Provider Configuration is (OpenID Connect
 * Discovery 1.0 §4: the issuer, without a trailing slash, then the suffix).
 *
 * @example
 * discoveryUriOf('https://gitlab.com') // 'https://gitlab.com/.well-known/openid-configuration'
 */
export const discoveryUriOf = (issuer: string): string =>
  `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`

/**
 * An issuer's JWKS URI from its discovery document, fetched with the
 * hardened fetcher. The document's `issuer` must be exactly `issuer`
 * (Discovery §4.3): otherwise it describes another issuer and its keys
 * must not check this one's tokens. Any failure is `unavailable`.
 *
 * @example
 * const jwksUri = await discoverJwksUri('https://token.actions.githubusercontent.com', { allowLoopback: false })
 */
export const discoverJwksUri = async (
  issuer: string,
  options: IssuerFetchOptions,
): Promise<string> => {
  const document = await fetchRemoteJson(
    { ...options, uri: discoveryUriOf(issuer) },
    'discovery document',
  )
  const fields = (typeof document === 'object' && document !== null ? document : {}) as {
    issuer?: unknown
    jwks_uri?: unknown
  }
  if (fields.issuer !== issuer) {
    throw misconfigured(`its issuer is ${quoted(fields.issuer)}, not ${JSON.stringify(issuer)}`)
  }
  if (typeof fields.jwks_uri !== 'string' || URL.parse(fields.jwks_uri) === null) {
    throw misconfigured('it has no jwks_uri URL')
  }
  return fields.jwks_uri
}

/**
 * A federation issuer's keys: from its explicit `jwksUri`, or from the
 * `jwks_uri` of its discovery document, both fetched with the hardened
 * fetcher. Discovery and keys are cached for `cacheTtlMs`; `refresh` (an
 * unknown `kid`, throttled by the verifier's key cache) refetches the keys
 * and keeps the discovered URI.
 *
 * @example
 * const keySet = issuerKeySet({ issuer: 'https://gitlab.com' }, { allowLoopback: false }, { cacheTtlMs: 300_000, clock })
 */
export const issuerKeySet = (
  issuer: FederationIssuer,
  options: IssuerFetchOptions,
  cache: { readonly cacheTtlMs: number; readonly clock: Clock },
): KeySet => {
  const explicit = issuer.jwksUri
  const jwksUri =
    explicit === undefined
      ? cachedValue({ load: () => discoverJwksUri(issuer.issuer, options), ...ttl(cache) })
      : { get: async () => explicit }
  const keys = cachedValue({
    load: async () => fetchJwks({ ...options, uri: await jwksUri.get() }),
    ...ttl(cache),
  })
  return { publicKeys: () => keys.get(), refresh: () => keys.refresh() }
}

const ttl = (cache: { readonly cacheTtlMs: number; readonly clock: Clock }) => ({
  ttlMs: cache.cacheTtlMs,
  clock: cache.clock,
})

const misconfigured = (detail: string): TollgateError =>
  new TollgateError('unavailable', `The issuer's discovery document cannot be used: ${detail}.`)

const quoted = (value: unknown): string =>
  typeof value === 'string' ? JSON.stringify(value.slice(0, 200)) : 'not a string'
