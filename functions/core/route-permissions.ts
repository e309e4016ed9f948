import type { Route } from './routes.js'

/**
 * Which scope each route needs, and the IAM policies that say so to API Gateway.
 *
 * Matching semantics are those of an execute-api ARN in an IAM policy, on
 * purpose: the authorizer's own decision for a route is then, by construction,
 * what API Gateway concludes when it evaluates a cached policy for that route,
 * whichever route the policy was built for. Concretely:
 * - `*` in a path matches any characters, `/` included (`/datasets/*`).
 * - `{param}` (and `{proxy+}`) becomes `*`. IAM has no one-segment wildcard,
 *   so `/teams/{id}/keys` also covers `/teams/a/b/keys`: a rule can only
 *   reach further than written, which denies more, never allows more.
 * - Method `*` or `ANY` expands to each HTTP method (rather than a `*` that
 *   IAM would let run into the path).
 */

/** Methods a rule for `ANY` stands for; API Gateway puts the real one in the ARN. */
const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const
const MAX_ARN_LENGTH = 2048
const INVOKE = 'execute-api:Invoke'

/** `arn:<partition>:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>` */
const EXECUTE_API_ARN =
  /^(arn:aws[a-z-]*:execute-api:[a-z0-9-]+:\d{12}:[A-Za-z0-9]+\/[^/]+)\/([A-Z]+)\/(.*)$/

export interface PermissionRule {
  /** Where the rule came from, for logs: `GET /datasets/*`. */
  readonly source: string
  readonly scope: string
  /** `METHOD/path` globs, as they follow `<apiId>/<stage>/` in an execute-api ARN. */
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
  const methods = upper === '*' || upper === 'ANY' ? HTTP_METHODS : [upper]
  const pathGlob = path.replace(/\{[^/{}]+\}/g, '*')
  return {
    source: `${upper} ${path}`,
    scope,
    resources: methods.map((m) => `${m}${pathGlob}`),
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

/** Every scope the route needs: each matching rule's, in rule order, without repeats. */
export const requiredScopes = (
  rules: readonly PermissionRule[],
  arn: ExecuteApiArn,
): readonly string[] => {
  const scopes: string[] = []
  for (const rule of rules) {
    if (!scopes.includes(rule.scope) && rule.resources.some((g) => globMatch(g, arn.resource))) {
      scopes.push(rule.scope)
    }
  }
  return scopes
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
 * @example
 * buildPolicy(rules, arn, new Set(claims.scope.split(' ')))
 */
export const buildPolicy = (
  rules: readonly PermissionRule[],
  arn: Pick<ExecuteApiArn, 'base'>,
  granted: ReadonlySet<string>,
): PolicyDocument => {
  const denied = new Set<string>()
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
