import { devIssuerOf } from './trusted-issuer.js'

/**
 * FEDERATION_ISSUERS checked against the rest of the configuration: the
 * issuers whose JWTs trust policies may exchange (docs/federation.md).
 * Plain code, no zod: both configuration parsers run it.
 */

/** A loopback host as a URL names it: where a development IdP listens in local mode. */
const isLoopbackHost = (hostname: string): boolean =>
  hostname === 'localhost' || hostname === '[::1]' || /^127(?:\.\d{1,3}){3}$/.test(hostname)

const withoutTrailingSlash = (url: string): string => url.replace(/\/+$/, '')

/**
 * Why FEDERATION_ISSUERS cannot be used with this issuer, or undefined when
 * it can: each https (plain http only to loopback, in local mode), none of
 * them Tollgate itself (or its development issuer), none twice. Names the
 * variable and the rule, never a value.
 *
 * @example
 * federationIssuersProblem(['https://token.actions.githubusercontent.com'], { issuer, localMode: false }) // undefined
 */
export const federationIssuersProblem = (
  issuers: readonly string[],
  own: { readonly issuer: string; readonly localMode: boolean },
): string | undefined => {
  const plainHttpAllowed = (url: URL) => own.localMode && isLoopbackHost(url.hostname)
  if (
    issuers.some((issuer) => {
      const url = new URL(issuer)
      return url.protocol !== 'https:' && !plainHttpAllowed(url)
    })
  ) {
    return 'FEDERATION_ISSUERS must be https URLs (plain http only to a loopback address, in local mode)'
  }
  const normalized = issuers.map(withoutTrailingSlash)
  if (new Set(normalized).size !== issuers.length) {
    return 'FEDERATION_ISSUERS must not name an issuer twice'
  }
  const ownIssuers = [own.issuer, devIssuerOf(own.issuer)]
  if (normalized.some((issuer) => ownIssuers.includes(issuer))) {
    return 'FEDERATION_ISSUERS may not name ISSUER (or its development issuer): Tollgate does not federate with itself'
  }
  return undefined
}
