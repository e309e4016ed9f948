/** A request target's path and query, exactly as sent (still %-encoded). */
export interface RequestTarget {
  readonly path: string
  readonly query: string
}

const ABSOLUTE_FORM = /^https?:\/\/[^/?#]*/i

/**
 * Reads the target of a request line (RFC 9112 §3.2) by its form:
 * origin-form `/path?query`, or absolute-form `http://host/path?query` whose
 * host is ignored: requests are routed by path only, as API Gateway routes
 * them. The path is taken as sent, never resolved as a URL, so `//whoami`,
 * `/\evil/whoami` and `/x/../whoami` are paths no route matches, never a host
 * name and a shorter path (which is how `new URL(target, base)` reads them).
 * `*` (asterisk-form) is kept as a path that no route matches; anything else
 * (authority-form outside CONNECT, junk) is undefined.
 *
 * @example
 * parseRequestTarget('http://evil/whoami?a=1') // { path: '/whoami', query: 'a=1' }
 * parseRequestTarget('//whoami')               // { path: '//whoami', query: '' }
 */
export const parseRequestTarget = (target: string): RequestTarget | undefined => {
  if (target === '*') return { path: '*', query: '' }
  let pathAndQuery: string
  if (target.startsWith('/')) {
    pathAndQuery = target
  } else {
    const authority = ABSOLUTE_FORM.exec(target)
    // The URL parser only validates the authority here; its path is not used.
    if (authority === null || URL.parse(target) === null) return undefined
    pathAndQuery = target.slice(authority[0].length)
  }
  if (pathAndQuery.includes('#')) return undefined
  const queryStart = pathAndQuery.indexOf('?')
  const path = queryStart === -1 ? pathAndQuery : pathAndQuery.slice(0, queryStart)
  return {
    path: path === '' ? '/' : path,
    query: queryStart === -1 ? '' : pathAndQuery.slice(queryStart + 1),
  }
}
