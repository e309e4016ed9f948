import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../../functions/core/config.js'
import {
  buildPermissionRules,
  buildPolicy,
  denyAllPolicy,
  type ExecuteApiArn,
  globMatch,
  isAllowedByPolicy,
  type PolicyDocument,
  parseExecuteApiArn,
  requiredScopes,
} from '../../../functions/core/route-permissions.js'
import { ROUTES, type Route } from '../../../functions/core/routes.js'

const BASE = 'arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod'
const arnOf = (method: string, path: string) => `${BASE}/${method}${path}`
const parse = (arn: string): ExecuteApiArn => {
  const parsed = parseExecuteApiArn(arn)
  if (parsed === undefined) throw new Error(`not an ARN: ${arn}`)
  return parsed
}

/** Tollgate-like routes behind the authorizer (its own table has few) plus downstream config. */
const OWN_ROUTES: readonly Route[] = [
  ...ROUTES,
  {
    method: 'GET',
    path: '/access-tokens',
    handler: 'jwks',
    authorization: 'authorizer',
    summary: 'test',
    scopes: ['tokens:read'],
  },
  {
    method: 'GET',
    path: '/access-tokens/{id}',
    handler: 'jwks',
    authorization: 'authorizer',
    summary: 'test',
    scopes: ['tokens:read'],
  },
  {
    method: 'POST',
    path: '/access-tokens/{id}/regenerate',
    handler: 'jwks',
    authorization: 'authorizer',
    summary: 'test',
    scopes: ['tokens:write'],
  },
  { method: 'GET', path: '/whoami', handler: 'jwks', authorization: 'authorizer', summary: 'test' },
  {
    method: 'POST',
    path: '/unguarded',
    handler: 'jwks',
    authorization: 'none',
    summary: 'test',
    scopes: ['never:checked'],
  },
]
const config = parseConfig({
  ROUTE_SCOPES: JSON.stringify({
    'GET /datasets/*': 'datasets:read',
    'DELETE /datasets/{id}': 'datasets:admin',
    'ANY /admin/*': 'admin',
    '* /reports/*/export': 'reports:export',
  }),
})
const rules = buildPermissionRules(OWN_ROUTES, config.routeScopes)
const ALL_SCOPES = [...new Set(rules.map((rule) => rule.scope))]

describe('buildPermissionRules', () => {
  it('takes scoped routes behind the authorizer, then ROUTE_SCOPES from the config', () => {
    expect(rules.map((rule) => [rule.source, rule.scope])).toEqual([
      ['GET /access-tokens', 'tokens:read'],
      ['GET /access-tokens/{id}', 'tokens:read'],
      ['POST /access-tokens/{id}/regenerate', 'tokens:write'],
      ['GET /datasets/*', 'datasets:read'],
      ['DELETE /datasets/{id}', 'datasets:admin'],
      ['ANY /admin/*', 'admin'],
      ['* /reports/*/export', 'reports:export'],
    ])
  })

  it('turns {param} into *, ANY into each HTTP method, GET into GET and HEAD, X/* into X too', () => {
    expect(rules[1]?.resources).toEqual([
      'GET/access-tokens/*',
      'GET/access-tokens',
      'HEAD/access-tokens/*',
      'HEAD/access-tokens',
    ])
    expect(rules[4]?.resources).toEqual(['DELETE/datasets/*', 'DELETE/datasets'])
    expect(rules[5]?.methods).toEqual(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'])
    expect(rules[5]?.paths).toEqual(['/admin/*', '/admin'])
    expect(rules[5]?.resources).toHaveLength(14)
    expect(rules[6]?.paths).toEqual(['/reports/*/export'])
  })

  it('writes rule paths in canonical form, keeping the source as written for logs', () => {
    const [rule] = buildPermissionRules([], { 'GET //Data%53ets/{Id}/': 'datasets:read' })
    expect(rule?.paths).toEqual(['/datasets/*', '/datasets'])
    expect(rule?.source).toBe('GET //Data%53ets/{Id}/')
    expect(buildPermissionRules([], { 'ANY /': 'x' })[0]?.paths).toEqual(['/'])
    expect(buildPermissionRules([], { 'ANY /*': 'x' })[0]?.paths).toEqual(['/*'])
  })

  it('refuses a rule whose path has no canonical form (parseConfig refuses it first)', () => {
    expect(() => buildPermissionRules([], { 'GET /a/../b': 'x' })).toThrow(/no canonical form/)
  })

  it('makes one rule per scoped route of Tollgate’s own table behind the authorizer', () => {
    const scoped = ROUTES.filter((route) => route.authorization === 'authorizer').flatMap((route) =>
      (route.scopes ?? []).map(() => `${route.method} ${route.path}`),
    )
    expect(buildPermissionRules(ROUTES, {}).map((rule) => rule.source)).toEqual(scoped)
  })
})

describe('parseExecuteApiArn', () => {
  it('splits REST methodArns and HTTP API routeArns from the real fixtures', () => {
    expect(
      parseExecuteApiArn(
        'arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod/POST/lambda-token',
      ),
    ).toEqual({
      base: 'arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod',
      method: 'POST',
      path: '/lambda-token',
      resource: 'POST/lambda-token',
    })
    expect(
      parseExecuteApiArn(
        'arn:aws:execute-api:eu-west-1:123456789012:lsw1ro4ipb/$default/POST/lambda',
      ),
    ).toMatchObject({ base: 'arn:aws:execute-api:eu-west-1:123456789012:lsw1ro4ipb/$default' })
  })

  it('keeps the root path and nested paths', () => {
    expect(parseExecuteApiArn(`${BASE}/GET/`)).toMatchObject({ path: '/', resource: 'GET/' })
    expect(parseExecuteApiArn(`${BASE}/GET/a/b/c`)).toMatchObject({ path: '/a/b/c' })
    expect(
      parseExecuteApiArn(`arn:aws-cn:execute-api:cn-north-1:123456789012:a1/s/GET/x`),
    ).toBeDefined()
  })

  it.each([
    undefined,
    42,
    '',
    'arn:aws:lambda:eu-west-1:123456789012:function:x',
    'arn:aws:execute-api:eu-west-1:123456789012:api/prod',
    'arn:aws:execute-api:eu-west-1:123456789012:api/prod/get/x',
    'arn:aws:execute-api:eu-west-1:1234:api/prod/GET/x',
    `${BASE}/GET/${'x'.repeat(3000)}`,
  ])('refuses %s', (arn) => {
    expect(parseExecuteApiArn(arn)).toBeUndefined()
  })
})

describe('requiredScopes', () => {
  const required = (method: string, path: string, alsoPath?: string) =>
    requiredScopes(rules, method, path, alsoPath)

  it('needs every matching rule’s scope', () => {
    expect(required('GET', '/datasets/7')).toEqual(['datasets:read'])
    expect(required('DELETE', '/datasets/7')).toEqual(['datasets:admin'])
    expect(required('POST', '/admin/users')).toEqual(['admin'])
    expect(required('GET', '/reports/2026/q1/export')).toEqual(['reports:export'])
    expect(required('POST', '/access-tokens/abc/regenerate')).toEqual(['tokens:write'])
  })

  it('lets * in a path cross slashes', () => {
    expect(required('GET', '/datasets/a/b/c')).toEqual(['datasets:read'])
  })

  it('needs nothing where no rule matches, or where a route has no scope', () => {
    expect(required('GET', '/whoami')).toEqual([])
    expect(required('GET', '/datasetsx')).toEqual([])
    expect(required('POST', '/datasets/7')).toEqual([])
    expect(required('POST', '/unguarded')).toEqual([])
  })

  it('requires all scopes when rules overlap', () => {
    const overlapping = buildPermissionRules([], { 'GET /a/*': 'one', 'ANY /a/b/*': 'two' })
    expect(requiredScopes(overlapping, 'GET', '/a/b/c')).toEqual(['one', 'two'])
  })

  it('matches the canonical path, whatever its spelling', () => {
    for (const path of ['/Datasets/7', '//datasets//7/', '/%64ATASETS/7', '/datasets/%37']) {
      expect(required('GET', path)).toEqual(['datasets:read'])
    }
    expect(required('PUT', '//ADMIN/users')).toEqual(['admin'])
  })

  it('lets X/* cover X, and a rule for GET cover HEAD (behaviour changes of issue 16)', () => {
    expect(required('GET', '/datasets')).toEqual(['datasets:read'])
    expect(required('POST', '/Admin/')).toEqual(['admin'])
    expect(required('HEAD', '/datasets/7')).toEqual(['datasets:read'])
    expect(required('HEAD', '/access-tokens')).toEqual(['tokens:read'])
    expect(required('HEAD', '/reports/a/export')).toEqual(['reports:export'])
  })

  it('has no answer for a path with no canonical form: refused whatever the scopes', () => {
    for (const path of ['/datasets%2F7', '/./whoami', '/x/../datasets/7', '/a\\b', '/%zz']) {
      expect(required('GET', path)).toBeUndefined()
    }
  })

  it('changes nothing without rules: no path is refused for its spelling', () => {
    expect(requiredScopes([], 'GET', '/x/../datasets%2F7')).toEqual([])
  })

  it('needs what either path needs when two are given (an HTTP API’s rawPath and routeArn)', () => {
    expect(required('GET', '/v1/datasets/7', '/datasets/7')).toEqual(['datasets:read'])
    expect(required('GET', '/datasets/7', '/v1/datasets/7')).toEqual(['datasets:read'])
    expect(required('PUT', '/admin/x', '/datasets/7')).toEqual(['admin'])
    expect(required('GET', '/Datasets/7', '/datasets/7')).toEqual(['datasets:read'])
    expect(required('GET', '/datasets/7', '/datasets%2F7')).toBeUndefined()
  })
})

describe('buildPolicy', () => {
  it('gives a caller holding every scope one wildcard Allow', () => {
    expect(buildPolicy(rules, parse(arnOf('GET', '/datasets/1')), new Set(ALL_SCOPES))).toEqual({
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${BASE}/*/*` }],
    })
  })

  it('denies each rule whose scope is missing, on top of the wildcard Allow', () => {
    const policy = buildPolicy(
      rules,
      parse(arnOf('GET', '/datasets/1')),
      new Set(['datasets:read']),
    )
    expect(policy.Statement).toHaveLength(2)
    expect(policy.Statement[1]).toMatchObject({ Effect: 'Deny' })
    expect(policy.Statement[1]?.Resource).toContain(`${BASE}/DELETE/datasets/*`)
    expect(policy.Statement[1]?.Resource).toContain(`${BASE}/GET/access-tokens/*`)
    expect(policy.Statement[1]?.Resource).not.toContain(`${BASE}/GET/datasets/*`)
  })

  it('names the called route as spelled when it was refused there', () => {
    const arn = parse(arnOf('GET', '/Datasets/1'))
    const policy = buildPolicy(rules, arn, new Set(), true)
    expect(policy.Statement[1]?.Resource).toContain(`${BASE}/GET/Datasets/1`)
    expect(isAllowedByPolicy(policy, arnOf('GET', '/Datasets/1'))).toBe(false)
    expect(buildPolicy(rules, arn, new Set()).Statement[1]?.Resource).not.toContain(
      `${BASE}/GET/Datasets/1`,
    )
  })

  it('is the same policy whichever route of the API it was built on', () => {
    const granted = new Set(['tokens:read'])
    const a = buildPolicy(rules, parse(arnOf('GET', '/access-tokens/1')), granted)
    const b = buildPolicy(rules, parse(arnOf('DELETE', '/datasets/1')), granted)
    expect(a).toEqual(b)
  })
})

describe('cache correctness', () => {
  const routeA = arnOf('GET', '/datasets/42')
  const routeB = arnOf('DELETE', '/datasets/42')

  it('a policy built for route A, reused on route B the token may not call, denies B', () => {
    const granted = new Set(['datasets:read'])
    const policy = buildPolicy(rules, parse(routeA), granted)

    expect(isAllowedByPolicy(policy, routeA)).toBe(true)
    expect(isAllowedByPolicy(policy, routeB)).toBe(false)
    expect(isAllowedByPolicy(policy, arnOf('POST', '/admin/x'))).toBe(false)
    expect(isAllowedByPolicy(policy, arnOf('GET', '/whoami'))).toBe(true)
  })

  it('a policy built on a forbidden route B still allows route A', () => {
    const policy = buildPolicy(rules, parse(routeB), new Set(['datasets:read']))
    expect(isAllowedByPolicy(policy, routeB)).toBe(false)
    expect(isAllowedByPolicy(policy, routeA)).toBe(true)
  })

  it('for any scopes, built on any route X, the policy decides every canonical route Y as requiredScopes does', () => {
    const paths = [
      ['GET', '/datasets/1'],
      ['HEAD', '/datasets/1'],
      ['GET', '/datasets'],
      ['GET', '/datasets/1/rows/2'],
      ['DELETE', '/datasets/1'],
      ['DELETE', '/datasets'],
      ['PUT', '/admin/x'],
      ['PATCH', '/admin'],
      ['GET', '/reports/a/b/export'],
      ['GET', '/reports/a/b/view'],
      ['GET', '/access-tokens'],
      ['GET', '/access-tokens/t1'],
      ['POST', '/access-tokens/t1/regenerate'],
      ['GET', '/whoami'],
      ['GET', '/'],
    ].map(([method, path]) => parse(arnOf(method ?? '', path ?? '')))
    fc.assert(
      fc.property(
        fc.subarray(ALL_SCOPES),
        fc.constantFrom(...paths),
        fc.constantFrom(...paths),
        (scopes, x, y) => {
          const granted = new Set(scopes)
          const policy = buildPolicy(rules, x, granted)
          const required = requiredScopes(rules, y.method, y.path) ?? ['(none: not canonical)']
          const expected = required.every((scope) => granted.has(scope))
          expect(isAllowedByPolicy(policy, `${y.base}/${y.resource}`)).toBe(expected)
        },
      ),
      { numRuns: 300 },
    )
  })
})

describe('isAllowedByPolicy', () => {
  const statement = (
    Effect: 'Allow' | 'Deny',
    Resource: string | string[],
    Action = 'execute-api:Invoke',
  ) => ({
    Action,
    Effect,
    Resource,
  })
  const policy = (...Statement: ReturnType<typeof statement>[]): PolicyDocument => ({
    Version: '2012-10-17',
    Statement,
  })

  it('needs an Allow: no statement is a deny', () => {
    expect(isAllowedByPolicy(policy(), arnOf('GET', '/x'))).toBe(false)
  })

  it('lets an explicit Deny win over any Allow, in any order', () => {
    const arn = arnOf('GET', '/x')
    expect(isAllowedByPolicy(policy(statement('Deny', arn), statement('Allow', '*')), arn)).toBe(
      false,
    )
    expect(isAllowedByPolicy(policy(statement('Allow', '*'), statement('Deny', [arn])), arn)).toBe(
      false,
    )
  })

  it('matches * across characters and ? as exactly one', () => {
    const p = policy(statement('Allow', `${BASE}/GET/item/?`))
    expect(isAllowedByPolicy(p, arnOf('GET', '/item/7'))).toBe(true)
    expect(isAllowedByPolicy(p, arnOf('GET', '/item/77'))).toBe(false)
    expect(isAllowedByPolicy(p, arnOf('GET', '/item/'))).toBe(false)
  })

  it('ignores statements about other actions', () => {
    const arn = arnOf('GET', '/x')
    expect(isAllowedByPolicy(policy(statement('Allow', arn, 's3:GetObject')), arn)).toBe(false)
    expect(isAllowedByPolicy(policy(statement('Allow', arn, 'execute-api:*')), arn)).toBe(true)
    expect(isAllowedByPolicy(policy(statement('Allow', arn, 'Execute-API:invoke')), arn)).toBe(true)
  })

  it('denyAllPolicy denies every route of the stage', () => {
    const p = denyAllPolicy(parse(arnOf('GET', '/x')))
    expect(isAllowedByPolicy(p, arnOf('GET', '/x'))).toBe(false)
    expect(isAllowedByPolicy(p, arnOf('POST', '/'))).toBe(false)
  })
})

describe('globMatch', () => {
  it.each([
    ['*', '', true],
    ['*', 'anything/at/all', true],
    ['a*c', 'abbbc', true],
    ['a*c', 'abbbd', false],
    ['a?c', 'abc', true],
    ['a?c', 'ac', false],
    ['GET/datasets/*', 'GET/datasets/', true],
    ['GET/datasets/*', 'GET/datasets', false],
    ['*/*', 'GET/', true],
    ['a**b', 'ab', true],
    ['', '', true],
    ['', 'a', false],
  ])('%s against %s → %s', (pattern, text, expected) => {
    expect(globMatch(pattern, text)).toBe(expected)
  })

  it('agrees with a regular-expression reference on random input', () => {
    const toRegExp = (pattern: string) =>
      new RegExp(
        `^${pattern
          .split('')
          .map((c) =>
            c === '*'
              ? '[\\s\\S]*'
              : c === '?'
                ? '[\\s\\S]'
                : c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'),
          )
          .join('')}$`,
      )
    const alphabet = fc.constantFrom('a', 'b', '/', '*', '?')
    fc.assert(
      fc.property(
        fc.string({ unit: alphabet, maxLength: 8 }),
        fc.string({ unit: fc.constantFrom('a', 'b', '/'), maxLength: 10 }),
        (pattern, text) => {
          expect(globMatch(pattern, text)).toBe(toRegExp(pattern).test(text))
        },
      ),
      { numRuns: 1000 },
    )
  })
})
