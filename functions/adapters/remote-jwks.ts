import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP, type LookupFunction } from 'node:net'
import { addAbortSignal } from 'node:stream'
import { cachedValue } from '../core/cached-value.js'
import { TollgateError } from '../core/errors.js'
import type { Clock, KeySet, PublicJwk } from '../core/ports.js'
import { isAllowedAddress, isLoopbackAddress } from './address-policy.js'

export interface RemoteJwksOptions {
  readonly uri: string
  /**
   * Loopback addresses (and plain http to them) are allowed: off Lambda only,
   * for a development identity provider or issuer on the same machine.
   */
  readonly allowLoopback: boolean
  /** The whole exchange's one deadline, DNS to the last body byte (default 3 s). */
  readonly timeoutMs?: number
  readonly maxBytes?: number
  /** Extra trusted CA certificates (PEM), e.g. a test's own; the system's are kept. */
  readonly ca?: string | undefined
}

const DEFAULT_TIMEOUT_MS = 3_000
/** A JWKS is a few keys; a megabyte is an attack or a mistake. */
const DEFAULT_MAX_BYTES = 64 * 1024
const MAX_KEYS = 100

/** What a fetch was for, as refusals name it. */
export type RemoteDocument = 'keys (its JWKS)' | 'discovery document'

const unavailable = (document: RemoteDocument, detail: string, cause?: unknown): TollgateError =>
  new TollgateError('unavailable', `The issuer's ${document} could not be fetched: ${detail}.`, {
    cause,
  })

/**
 * Fetches a JWK set the hardened way (docs/design.md#people; also the
 * issuer's own keys for KEY_SOURCE=jwks, and federation): `fetchRemoteJson`,
 * then at most 100 keys, each an object (the verifier's key cache checks
 * them one by one). Any failure is `unavailable`, never a verdict on the caller.
 *
 * @example
 * const keys = await fetchJwks({ uri: 'https://acme.okta.com/oauth2/v1/keys', allowLoopback: false })
 */
export const fetchJwks = async (options: RemoteJwksOptions): Promise<PublicJwk[]> =>
  parseJwks(await fetchRemoteJson(options, 'keys (its JWKS)'))

/**
 * GETs a JSON document from an issuer the hardened way: https only, no
 * redirects, the resolved address public (or loopback where allowed), a
 * size cap and one deadline on the whole exchange, connect to last byte.
 * Any failure is `unavailable`, naming `document`.
 *
 * @example
 * const configuration = await fetchRemoteJson({ uri, allowLoopback: false }, 'discovery document')
 */
export const fetchRemoteJson = async (
  options: RemoteJwksOptions,
  document: RemoteDocument,
): Promise<unknown> => {
  const fail = (detail: string, cause?: unknown) => unavailable(document, detail, cause)
  const url = URL.parse(options.uri)
  if (url === null) throw fail('its URI is not a URL')
  const plainHttp = url.protocol === 'http:'
  if (url.protocol !== 'https:' && !(plainHttp && options.allowLoopback)) {
    throw fail('its URI must be https')
  }
  if (url.username !== '' || url.password !== '') throw fail('its URI has credentials')
  // An address literal is never looked up, so the lookup's check would not run: check it here.
  const literal = url.hostname.replace(/^\[(.*)\]$/, '$1')
  if (
    isIP(literal) !== 0 &&
    (!isAllowedAddress(literal, { allowLoopback: options.allowLoopback }) ||
      (plainHttp && !isLoopbackAddress(literal)))
  ) {
    throw fail('its host is not a public address')
  }
  // One deadline for the whole exchange, DNS to the last body byte: a server
  // that sends its headers at once and then a byte a second is as unavailable
  // as one that never answers, and must not hold the caller past it.
  const deadline = new AbortController()
  const timer = setTimeout(() => deadline.abort(), options.timeoutMs ?? DEFAULT_TIMEOUT_MS)
  let text: string
  try {
    const response = await get(url, options, fail, deadline.signal)
    text = await readCapped(response, options.maxBytes ?? DEFAULT_MAX_BYTES, fail, deadline.signal)
  } catch (error) {
    if (deadline.signal.aborted) throw fail('it took too long', error)
    // A connection reset mid-body is the provider's failure, not ours: never `internal`.
    throw error instanceof TollgateError ? error : fail('the request failed', error)
  } finally {
    clearTimeout(timer)
  }
  try {
    return JSON.parse(text)
  } catch {
    throw fail('it is not JSON')
  }
}

/**
 * A key set fetched from a JWKS URI: cached for `cacheTtlMs`, and refetched
 * on demand (an unknown `kid`) at most as often as the verifier's key cache
 * asks, which is once a minute.
 *
 * @example
 * const keySet = remoteKeySet({ uri, allowLoopback: false }, { cacheTtlMs: 300_000, clock })
 */
export const remoteKeySet = (
  options: RemoteJwksOptions,
  cache: { readonly cacheTtlMs: number; readonly clock: Clock },
): KeySet => {
  const keys = cachedValue({
    load: () => fetchJwks(options),
    ttlMs: cache.cacheTtlMs,
    clock: cache.clock,
  })
  return { publicKeys: () => keys.get(), refresh: () => keys.refresh() }
}

/** The response headers of a 200; aborting `signal` destroys the request and its socket. */
const get = (
  url: URL,
  options: RemoteJwksOptions,
  fail: (detail: string) => TollgateError,
  signal: AbortSignal,
): Promise<IncomingMessage> =>
  new Promise((resolve, reject) => {
    const plainHttp = url.protocol === 'http:'
    const request = (plainHttp ? httpRequest : httpsRequest)(url, {
      method: 'GET',
      headers: { accept: 'application/jwk-set+json, application/json' },
      lookup: guardedLookup(options.allowLoopback, plainHttp, fail),
      agent: false,
      signal,
      ...(options.ca === undefined ? {} : { ca: options.ca }),
    })
    request.on('response', (response) => {
      if (response.statusCode !== 200) {
        // Its body is never read: drop the connection (no agent, so nothing
        // to return to a pool) rather than drain whatever the server sends.
        response.destroy()
        // A redirect is refused like any other non-200: following it could lead anywhere.
        reject(fail(`the server answered ${response.statusCode}`))
        return
      }
      resolve(response)
    })
    // fetchRemoteJson tells a refusal, the deadline and a failed connection apart.
    request.on('error', reject)
    request.end()
  })

/**
 * DNS resolution that refuses non-public addresses, so the connection goes
 * to the address that was checked (no second lookup to rebind). Plain http
 * is only ever allowed to loopback.
 */
const guardedLookup =
  (
    allowLoopback: boolean,
    plainHttp: boolean,
    fail: (detail: string) => TollgateError,
  ): LookupFunction =>
  (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error !== null) return callback(error, '', 0)
      const refused = addresses.find(
        ({ address }) =>
          !isAllowedAddress(address, { allowLoopback }) ||
          (plainHttp && !isLoopbackAddress(address)),
      )
      const first = addresses[0]
      if (refused !== undefined || first === undefined) {
        return callback(fail('its host is not a public address'), '', 0)
      }
      if ((options as { all?: boolean }).all === true) {
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses)
      }
      callback(null, first.address, first.family)
    })
  }

const readCapped = async (
  response: IncomingMessage,
  maxBytes: number,
  fail: (detail: string) => TollgateError,
  signal: AbortSignal,
): Promise<string> => {
  // The deadline reaches into the body: past it the stream, and with it the
  // socket, is destroyed, so no fetch keeps reading after its caller gave up.
  addAbortSignal(signal, response)
  const announced = Number(response.headers['content-length'] ?? 0)
  if (announced > maxBytes) {
    response.destroy()
    throw fail('it is too large')
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.byteLength
    if (size > maxBytes) {
      response.destroy()
      throw fail('it is too large')
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks).toString('utf8')
}

const parseJwks = (value: unknown): PublicJwk[] => {
  const keys = (value as { keys?: unknown } | null)?.keys
  if (!Array.isArray(keys) || keys.length > MAX_KEYS) {
    throw unavailable('keys (its JWKS)', 'it has no keys list of at most 100 keys')
  }
  // Each key is checked, and a bad one skipped, by the verifier's key cache.
  return keys.filter(
    (key): key is PublicJwk => typeof key === 'object' && key !== null && !Array.isArray(key),
  )
}
