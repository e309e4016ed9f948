import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../functions/core/config.js'
import { createAuthorizerHandler } from '../../functions/handlers/authorizer.js'
import { buildAuthorizerDependencies } from '../../functions/wiring/authorizer.js'
import { fixedClock } from '../support/fakes.js'
import { fuzzRuns } from '../support/http-fuzz.js'
import {
  AUDIENCE,
  ISSUER,
  makeTestKey,
  NOW,
  signWithJose,
  tollgateClaims,
} from '../support/jwt-attacks.js'
import { authorizerDecision, PATH_SHAPES } from '../support/path-authorizer-events.js'
import { sameCanonicalSpelling, uncanonicalSpelling } from '../support/path-spellings.js'

/**
 * Property (issue 16): a route rule holds under every spelling of the paths
 * it covers, in each event shape. Paths are built from a rule, then spelled
 * with case changes, doubled slashes, percent-encodings and a trailing
 * slash (same canonical form: refused without the rule's scope, allowed
 * with it), or broken with a dot segment, an encoded `/` or `\`, or a bad
 * escape (no canonical form: refused whatever the scopes). REST answers are
 * IAM policies, evaluated against the ARN of the spelling as API Gateway
 * evaluates them.
 *
 * Bounded here; FUZZ_RUNS (as `npm run fuzz` sets it) runs it longer.
 */

const RUNS = fuzzRuns(300)
const ROUTE_SCOPES = {
  'GET /datasets': 'datasets:read',
  'GET /datasets/*': 'datasets:read',
  'ANY /admin/*': 'admin',
}
const key = makeTestKey('ES256')
const deps = buildAuthorizerDependencies({
  config: parseConfig({
    ISSUER,
    AUDIENCE,
    JWT_ALG: 'ES256',
    ROUTE_SCOPES: JSON.stringify(ROUTE_SCOPES),
  }),
  keySet: { publicKeys: async () => [key.jwk] },
  clock: fixedClock(NOW),
})
const handler = createAuthorizerHandler(async () => deps)
const bearer = async (scope: string) =>
  `Bearer ${await signWithJose(key, tollgateClaims({ scope }))}`
const WITHOUT = await bearer('other:scope')
const WITH: Readonly<Record<string, string>> = {
  'datasets:read': await bearer('datasets:read'),
  admin: await bearer('admin'),
}

const segments = fc.array(fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,5}$/), { maxLength: 3 })

/** A method and a canonical path some rule covers, with that rule's scope. */
const covered = fc.oneof(
  fc.record({
    method: fc.constantFrom('GET', 'HEAD'),
    path: segments.map((rest) => ['/datasets', ...rest].join('/')),
    scope: fc.constant('datasets:read'),
  }),
  fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'),
    path: segments.map((rest) => ['/admin', ...rest].join('/')),
    scope: fc.constant('admin'),
  }),
)

/**
 * An HTTP API's routeArn spelled as rawPath, or canonical where API Gateway
 * normalised it: either way rawPath is what the backend receives.
 */
const routeArnSpelledToo = fc.boolean()

describe('authorizer route rules under generated spellings', () => {
  it('refuses every same-canonical spelling without the rule’s scope, and allows it with', async () => {
    await fc.assert(
      fc.asyncProperty(
        covered.chain((target) =>
          fc.record({
            target: fc.constant(target),
            spelled: sameCanonicalSpelling(target.path),
            shape: fc.constantFrom(...PATH_SHAPES),
            arnSpelled: routeArnSpelledToo,
          }),
        ),
        async ({ target, spelled, shape, arnSpelled }) => {
          const arnPath = shape !== 'HTTP API 2.0' || arnSpelled ? spelled : target.path
          const decide = (authorization: string) =>
            authorizerDecision(handler, shape, target.method, arnPath, authorization, {
              rawPath: spelled,
            })
          expect(await decide(WITHOUT)).toBe('deny')
          expect(await decide(WITH[target.scope] as string)).toBe('allow')
        },
      ),
      { numRuns: RUNS },
    )
  })

  it('refuses every spelling with no canonical form, whatever the scopes', async () => {
    await fc.assert(
      fc.asyncProperty(
        covered.chain((target) =>
          fc.record({
            target: fc.constant(target),
            spelled: uncanonicalSpelling(target.path),
            shape: fc.constantFrom(...PATH_SHAPES),
            arnSpelled: routeArnSpelledToo,
          }),
        ),
        async ({ target, spelled, shape, arnSpelled }) => {
          const arnPath = shape !== 'HTTP API 2.0' || arnSpelled ? spelled : target.path
          for (const authorization of [WITHOUT, WITH[target.scope] as string]) {
            expect(
              await authorizerDecision(handler, shape, target.method, arnPath, authorization, {
                rawPath: spelled,
              }),
            ).toBe('deny')
          }
        },
      ),
      { numRuns: RUNS },
    )
  })
})
