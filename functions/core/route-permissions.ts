import { canonicalPath } from './canonical-path.js'
import type { Route } from './routes.js'

/**
 * Which scope each route needs, and the IAM policies that say so to API Gateway.
 *
 * Rules match the canonical form of the request path (`canonical-path.ts`:
 * case folded, slashes collapsed, unreserved escapes decoded), never its
 * spelling, and a path that has no canonical form is refused where rules
 * exist. Within that form, matching semantics are those of an execute-api
 * ARN in an IAM policy, on purpose: for a canonical spelling, the
 * authorizer's own decision is then, by construction, what API Gateway
 * concludes when it evaluates a policy for that route, whichever route the
 * policy was built for. Concretely:
 * - `*` in a path matches any characters, `/` included (`/datasets/*`).
 * - `{param}` (and `{proxy+}`) becomes `*`. IAM has no one-segment wildcard,
 *   so `/teams/{id}/keys` also covers `/teams/a/b/keys`: a rule can only
 *   reach further than written, which denies more, never allows more.
 * - A path ending in `/*` also covers the path without it: `/admin/*`
 *   covers `/admin`, which backends serve as the same tree.
 * - Method `*` or `ANY` expands to each HTTP method (rather than a `*` that
 *   IAM would let run into the path); `GET` also covers `HEAD`, which
 *   backends answer with the GET handler.
 */

/** Methods a rule for `ANY` stands for; API Gateway puts the real one in the ARN. */
const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const
const GET_AND_HEAD = ['GET', 'HEAD'] as const
const NO_SCOPES: readonly string[] = []
const MAX_ARN_LENGTH = 2048
const INVOKE = 'execute-api:Invoke'

/** `arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>` */
const EXECUTE_API_ARN =
  /^(arn:aws[a-z-]*:execute-api:[a-z0-9-]+:\d{12}:[A-Za-z0-9]+\/[^/]+)\/([A-Z]+)\/(.*)$/

export interface PermissionRule {
  /** Where the rule came from, for logs: `GET /datasets/*`. */
  readonly source: string
  readonly scope: string
  /** Every method the rule covers, upper case. */
  readonly methods: readonly string[]
  /** Globs over canonical paths: `/datasets/*`, and `/datasets` that it also covers. */
  readonly paths: readonly string[]
  /** `METHOD/path` globs, as they follow `<apiId>/<stage>/` in an execute-api ARN: methods × paths. */
  readonly resources: readonly string[]
}

/** A methodArn (REST) or routeArn (HTTP API), split where policies need it. */
export interface ExecuteApiArn {
  /** `arn:…:<apiId>/<stage>`: every policy resource starts here. */
  readonly base: string
  readonly method: string
  /** The request path with its leading `/`. */
  readonly path: string
  /** `METHOD/path` without the slash between: what rule globs are matched against. */
  readonly resource: string
}

export interface PolicyStatement {
  readonly Action: string | readonly string[]
  readonly Effect: 'Allow' | 'Deny'
  readonly Resource: string | readonly string[]
}

export interface PolicyDocument {
  readonly Version: '2012-10-17'
  readonly Statement: readonly PolicyStatement[]
}

/**
 * The rules: Tollgate's own routes behind the authorizer that name a scope,
 * then the downstream `ROUTE_SCOPES` entries (`"GET /datasets/*": "datasets:read"`).
 * A route with no rule needs only a valid credential.
 *
 * @example
 * const rules = buildPermissionRules(ROUTES, config.routeScopes)
 */
export const buildPermissionRules = (
  routes: readonly Route[],
  routeScopes: Readonly<Record<string, string>>,
): readonly PermissionRule[] => {
  const rules: PermissionRule[] = []
  for (const route of routes) {
    if (route.authorization !== 'authorizer') continue
    // All are required: one rule each, since a caller must meet every rule that matches.
    for (const scope of route.scopes ?? []) rules.push(toRule(route.method, route.path, scope))
  }
  // parseConfig has already checked every key is `METHOD /path`.
  for (const [key, scope] of Object.entries(routeScopes)) {
    const space = key.indexOf(' ')
    rules.push(toRule(key.slice(0, space), key.slice(space + 1), scope))
  }
  return rules
}

const toRule = (method: string, path: string, scope: string): PermissionRule => {
  const upper = method.toUpperCase()
  const source = `${upper} ${path}`
  const methods =
    upper === '*' || upper === 'ANY' ? HTTP_METHODS : upper === 'GET' ? GET_AND_HEAD : [upper]
  const glob = canonicalPath(path.replace(/\{[^/{}]+\}/g, '*'))
  // parseConfig refuses such ROUTE_SCOPES keys; the route table has none.
  if (glob === undefined) throw new Error(`route rule ${source}: its path has no canonical form`)
  const paths = glob.length > 2 && glob.endsWith('/*') ? [glob, glob.slice(0, -2)] : [glob]
  return {
    source,
    scope,
    methods,
    paths,
    resources: methods.flatMap((m) => paths.map((p) => `${m}${p}`)),
  }
}

/**
 * Splits an execute-api ARN, or returns undefined when it is not one.
 *
 * @example
 * parseExecuteApiArn('arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/datasets/7')
 * // { base: 'arn:…:abc123/prod', method: 'GET', path: '/datasets/7', resource: 'GET/datasets/7' }
 */
export const parseExecuteApiArn = (arn: unknown): ExecuteApiArn | undefined => {
  if (typeof arn !== 'string' || arn.length > MAX_ARN_LENGTH) return undefined
  const match = EXECUTE_API_ARN.exec(arn)
  if (match?.[1] === undefined || match[2] === undefined || match[3] === undefined) {
    return undefined
  }
  return {
    base: match[1],
    method: match[2],
    path: `/${match[3]}`,
    resource: `${match[2]}/${match[3]}`,
  }
}

/**
 * Every scope a request needs: each matching rule's, in rule order, without
 * repeats. Rules are matched against the canonical form of `path` and, when
 * given and spelled otherwise, of `alsoPath` (an HTTP API's `rawPath` beside
 * its routeArn's path): a rule that covers either applies. Undefined when
 * either has no canonical form: where rules exist, such a request is refused
 * whatever its scopes. Without rules nothing is canonicalised.
 *
 * @example
 * requiredScopes(rules, 'GET', '/DataSets//42') // ['datasets:read']
 * requiredScopes(rules, 'GET', '/datasets%2F42') // undefined
 */
export const requiredScopes = (
  rules: readonly PermissionRule[],
  method: string,
  path: string,
  alsoPath?: string,
): readonly string[] | undefined => {
  if (rules.length === 0) return NO_SCOPES
  const canonical = canonicalPath(path)
  if (canonical === undefined) return undefined
  let other: string | undefined
  if (alsoPath !== undefined && alsoPath !== path) {
    other = canonicalPath(alsoPath)
    if (other === undefined) return undefined
    if (other === canonical) other = undefined
  }
  const scopes: string[] = []
  for (const rule of rules) {
    if (scopes.includes(rule.scope) || !rule.methods.includes(method)) continue
    if (
      matchesAny(rule.paths, canonical) ||
      (other !== undefined && matchesAny(rule.paths, other))
    ) {
      scopes.push(rule.scope)
    }
  }
  return scopes
}

const matchesAny = (globs: readonly string[], path: string): boolean => {
  for (const glob of globs) if (globMatch(glob, path)) return true
  return false
}

/**
 * The policy for a caller holding `granted`, valid for EVERY route of the
 * API, because API Gateway caches it (300 s by default) and, for a REST TOKEN
 * authorizer, reuses it on other methods and paths.
 *
 * Encoding: one Allow on any method and path of the stage, plus one Deny listing every
 * rule whose scope the caller lacks. API Gateway lets an explicit Deny win,
 * so a route is allowed exactly when no unmet rule covers it, which is
 * `requiredScopes(route) ⊆ granted`. A caller who meets every rule gets the
 * single wildcard Allow. (Enumerating Allows instead cannot work: routes with
 * no rule must stay open, and they are not listed anywhere.)
 *
 * Rules name canonical spellings only, and IAM globs are case-sensitive: a
 * request refused on another spelling (`GET/Datasets/x`, `GET/datasets%2Fx`)
 * passes `calledRouteRefused`, and the Deny then names `arn.resource` as
 * called. No policy can name every spelling, so one is never reused for
 * another where route rules exist (the constructs turn the cache off).
 *
 * @example
 * buildPolicy(rules, arn, new Set(claims.scope.split(' ')))
 */
export const buildPolicy = (
  rules: readonly PermissionRule[],
  arn: Pick<ExecuteApiArn, 'base' | 'resource'>,
  granted: ReadonlySet<string>,
  calledRouteRefused = false,
): PolicyDocument => {
  const denied = new Set<string>()
  if (calledRouteRefused) denied.add(`${arn.base}/${arn.resource}`)
  for (const rule of rules) {
    if (granted.has(rule.scope)) continue
    for (const resource of rule.resources) denied.add(`${arn.base}/${resource}`)
  }
  const allow: PolicyStatement = { Action: INVOKE, Effect: 'Allow', Resource: `${arn.base}/*/*` }
  return {
    Version: '2012-10-17',
    Statement:
      denied.size === 0
        ? [allow]
        : [allow, { Action: INVOKE, Effect: 'Deny', Resource: [...denied] }],
  }
}

/** Denies every route: the answer for a credential that is not valid anywhere. */
export const denyAllPolicy = (arn: Pick<ExecuteApiArn, 'base'>): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Action: INVOKE, Effect: 'Deny', Resource: `${arn.base}/*/*` }],
})

/**
 * Whether `policy` lets a caller invoke `methodArn`, evaluated the way API
 * Gateway does: an explicit Deny wins, otherwise some Allow must match, and
 * resources match as globs (`*` any run of characters, `?` one character).
 *
 * @example
 * isAllowedByPolicy(policy, 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/b') // false
 */
export const isAllowedByPolicy = (policy: PolicyDocument, methodArn: string): boolean => {
  let allowed = false
  for (const statement of policy.Statement) {
    if (!asList(statement.Action).some((action) => actionMatches(action))) continue
    if (!asList(statement.Resource).some((resource) => globMatch(resource, methodArn))) continue
    if (statement.Effect === 'Deny') return false
    if (statement.Effect === 'Allow') allowed = true
  }
  return allowed
}

const asList = (value: string | readonly string[]): readonly string[] =>
  typeof value === 'string' ? [value] : value

/** IAM action names are case-insensitive; the service prefix and name may be globs. */
const actionMatches = (action: string): boolean =>
  globMatch(action.toLowerCase(), INVOKE.toLowerCase())

/**
 * IAM-style glob: `*` matches any run of characters (`/` included), `?`
 * exactly one. Iterative with one backtrack point, so linear-ish and safe on
 * hostile input (no regular expression is built from a pattern).
 */
export const globMatch = (pattern: string, text: string): boolean => {
  let p = 0
  let t = 0
  let starAt = -1
  let starText = 0
  while (t < text.length) {
    const c = pattern[p]
    if (c === '*') {
      starAt = p++
      starText = t
    } else if (c !== undefined && (c === '?' || c === text[t])) {
      p++
      t++
    } else if (starAt !== -1) {
      p = starAt + 1
      t = ++starText
    } else {
      return false
    }
  }
  while (pattern[p] === '*') p++
  return p === pattern.length
}
