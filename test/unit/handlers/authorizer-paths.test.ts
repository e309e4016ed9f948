import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../../functions/core/config.js'
import { isAllowedByPolicy } from '../../../functions/core/route-permissions.js'
import { createAuthorizerHandler } from '../../../functions/handlers/authorizer.js'
import { buildAuthorizerDependencies } from '../../../functions/wiring/authorizer.js'
import { fixedClock } from '../../support/fakes.js'
import {
  AUDIENCE,
  ISSUER,
  makeTestKey,
  NOW,
  signWithJose,
  tollgateClaims,
} from '../../support/jwt-attacks.js'
import {
  authorizerDecision,
  type HttpSpelling,
  PATH_SHAPES,
  type PathShape,
  pathEvent,
} from '../../support/path-authorizer-events.js'

/**
 * Issue 16: route rules hold under every spelling of a path, in each event
 * shape. The rules of the report, on a greedy HTTP API route (`GET /{proxy+}`)
 * and on REST resources.
 */

const ROUTE_SCOPES = {
  'GET /datasets': 'datasets:read',
  'GET /datasets/*': 'datasets:read',
  'ANY /admin/*': 'admin',
}
const key = makeTestKey('RS256')

const handlerWith = (routeScopes: Record<string, string>) => {
  const deps = buildAuthorizerDependencies({
    config: parseConfig({ ISSUER, AUDIENCE, ROUTE_SCOPES: JSON.stringify(routeScopes) }),
    keySet: { publicKeys: async () => [key.jwk] },
    clock: fixedClock(NOW),
  })
  return createAuthorizerHandler(async () => deps)
}
const handler = handlerWith(ROUTE_SCOPES)
const jwtWith = (scope: string) => signWithJose(key, tollgateClaims({ scope }))

/** The spellings of the report, each with the scope its canonical form needs. */
const CANONICALISABLE: readonly (readonly [spelling: string, scope: string])[] = [
  ['//datasets', 'datasets:read'],
  ['/Datasets', 'datasets:read'],
  ['/DATASETS/42', 'datasets:read'],
  ['/%64atasets', 'datasets:read'],
  ['/admin', 'admin'],
  ['/Admin/x', 'admin'],
  ['//admin/x', 'admin'],
  ['/%61dmin/x', 'admin'],
]
/** Spellings a backend may resolve to another resource: denied whatever the scopes. */
const UNCANONICAL = ['/datasets%2F42', '/./datasets/42', '/public/../datasets/42']

describe.each(PATH_SHAPES)('authorizer route rules, %s', (shape: PathShape) => {
  const decide = async (path: string, scope: string, method = 'GET') =>
    authorizerDecision(handler, shape, method, path, `Bearer ${await jwtWith(scope)}`)

  it.each(CANONICALISABLE)('refuses %s without %s, and allows it with', async (path, scope) => {
    expect(await decide(path, 'other:scope')).toBe('deny')
    expect(await decide(path, scope)).toBe('allow')
  })

  it.each(UNCANONICAL)('refuses %s even with every scope', async (path) => {
    expect(await decide(path, 'other:scope')).toBe('deny')
    expect(await decide(path, 'datasets:read admin')).toBe('deny')
  })

  it('lets a rule for GET cover HEAD too', async () => {
    expect(await decide('/Datasets/42', 'other:scope', 'HEAD')).toBe('deny')
    expect(await decide('/Datasets/42', 'datasets:read', 'HEAD')).toBe('allow')
  })

  it('leaves paths no rule covers open, refuses them without a canonical form where rules exist, and changes nothing without rules', async () => {
    expect(await decide('/Open//Thing/', 'other:scope')).toBe('allow')
    expect(await decide('//Open/%2e%2e/x', 'other:scope')).toBe('deny')
    const unruled = handlerWith({})
    for (const path of [...UNCANONICAL, '/Datasets', '/admin']) {
      expect(
        await authorizerDecision(unruled, shape, 'GET', path, `Bearer ${await jwtWith('x')}`),
      ).toBe('allow')
    }
  })
})

describe('authorizer route rules, HTTP API spellings apart from the routeArn', () => {
  /** GET /datasets/42 in the routeArn, `http` spelled as given. */
  const decide = async (http: HttpSpelling, scope: string) =>
    authorizerDecision(
      handler,
      'HTTP API 2.0',
      'GET',
      '/datasets/42',
      `Bearer ${await jwtWith(scope)}`,
      http,
    )

  it('matches rawPath, whatever the routeArn says', async () => {
    expect(await decide({ rawPath: '/DataSets/42' }, 'other:scope')).toBe('deny')
    expect(await decide({ rawPath: '/datasets%2F42' }, 'datasets:read')).toBe('deny')
    expect(await decide({ rawPath: '/DataSets/42' }, 'datasets:read')).toBe('allow')
  })

  it('matches the routeArn too, where rawPath carries a prefix the rules do not know', async () => {
    // A custom domain's base path stays in rawPath; the routeArn's path is the API's own.
    expect(await decide({ rawPath: '/v1/datasets/42' }, 'other:scope')).toBe('deny')
    expect(await decide({ rawPath: '/v1/datasets/42' }, 'datasets:read')).toBe('allow')
  })

  it('takes a named stage off rawPath', async () => {
    const staged = { rawPath: '/prod/Datasets/42', stage: 'prod' }
    expect(await decide(staged, 'other:scope')).toBe('deny')
    expect(await decide(staged, 'datasets:read')).toBe('allow')
    expect(await decide({ rawPath: '/prod/datasets/42/', stage: 'prod' }, 'datasets:read')).toBe(
      'allow',
    )
  })
})

describe('authorizer REST policies and API Gateway’s cache', () => {
  it.each(['REST TOKEN', 'REST REQUEST'] as const)(
    '%s: the Deny names the called spelling when its canonical form is denied',
    async (shape) => {
      for (const path of [...CANONICALISABLE.map(([spelled]) => spelled), ...UNCANONICAL]) {
        const event = pathEvent(shape, 'GET', path, `Bearer ${await jwtWith('other:scope')}`)
        const answer = await handler(event)
        const deny = 'policyDocument' in answer ? answer.policyDocument.Statement[1] : undefined
        expect(deny).toMatchObject({ Effect: 'Deny' })
        expect(deny?.Resource).toContain(event.methodArn)
      }
    },
  )

  it('cannot name every spelling: reused for another, a policy could allow it', async () => {
    const event = pathEvent('REST TOKEN', 'GET', '/datasets/42', `Bearer ${await jwtWith('x')}`)
    const answer = await handler(event)
    if (!('policyDocument' in answer)) throw new Error('not a policy')
    const arn = (path: string) => (event.methodArn as string).replace('/datasets/42', path)
    expect(isAllowedByPolicy(answer.policyDocument, arn('/datasets/42'))).toBe(false)
    // Hence the constructs turn a REST authorizer's cache off where route rules exist.
    expect(isAllowedByPolicy(answer.policyDocument, arn('/Datasets/42'))).toBe(true)
  })
})
