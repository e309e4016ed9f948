import { createHmac, sign as signBytes } from 'node:crypto'
import fc from 'fast-check'
import { jwtVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../functions/core/config.js'
import { CLOCK_SKEW_SECONDS } from '../../functions/core/jwt-verifier.js'
import { createAuthorizerHandler } from '../../functions/handlers/authorizer.js'
import { buildAuthorizerDependencies } from '../../functions/wiring/authorizer.js'
import { fixedClock } from '../support/fakes.js'
import { fuzzRuns } from '../support/http-fuzz.js'
import {
  type Alg,
  AUDIENCE,
  encodeSegment,
  ISSUER,
  makeTestKey,
  NOW,
  NOW_SECONDS,
  type TestKey,
  tollgateClaims,
} from '../support/jwt-attacks.js'

/**
 * Differential property against jose (issue 12): whatever a JWT looks like,
 * if jose rejects it, the authorizer rejects it. jose is configured with the
 * authorizer's own policy (issuer, audience, the one algorithm, `typ: at+jwt`,
 * 60 s of clock tolerance, the same instant); the authorizer is stricter
 * still (header members, canonical base64url, kid, lifetime, claim types),
 * which the property allows. JWTs are mutated in their header, payload,
 * signature and encoding, then signed with our key, another key under our
 * kid, HMAC with our public key, or not at all.
 *
 * Bounded here; FUZZ_RUNS (as `npm run fuzz` sets it) runs it longer.
 */

const RUNS = fuzzRuns(300)
const MAX_DURATION = 43_200
const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:puhdx84jy9/prod/GET/datasets/1'

const CLAIMS = [
  'iss',
  'sub',
  'aud',
  'scope',
  'roles',
  'token_type',
  'is_bot',
  'atid',
  'atv',
  'otv',
  'jti',
  'iat',
  'nbf',
  'exp',
] as const
const TIMES = ['iat', 'nbf', 'exp'] as const

/** Seconds around the edges the rules draw: the skew, the lifetime cap, zero. */
const edgeOffset = fc.oneof(
  fc.constantFrom(
    -3_601,
    -361,
    -300,
    -61,
    -60,
    -59,
    -1,
    0,
    1,
    59,
    60,
    61,
    299,
    300,
    301,
    MAX_DURATION - 1,
    MAX_DURATION,
    MAX_DURATION + 1,
    MAX_DURATION + 60,
  ),
  fc.integer({ min: -100_000, max: 100_000 }),
  fc.double({ min: -100, max: 100, noNaN: true }),
)

const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(ISSUER, `${ISSUER}/`, AUDIENCE, 'sa_reader', 'service', 'personal', ''),
  fc.array(fc.oneof(fc.string({ maxLength: 8 }), fc.constant(AUDIENCE), fc.integer()), {
    maxLength: 20,
  }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 2 }),
)

type Change = (object: Record<string, unknown>) => void

const claimChange: fc.Arbitrary<Change> = fc.oneof(
  fc.constantFrom(...CLAIMS).map(
    (name): Change =>
      (claims) => {
        delete claims[name]
      },
  ),
  fc.tuple(fc.constantFrom(...CLAIMS), anyValue).map(
    ([name, value]): Change =>
      (claims) => {
        claims[name] = value
      },
  ),
  fc.tuple(fc.constantFrom(...TIMES), edgeOffset).map(
    ([name, offset]): Change =>
      (claims) => {
        claims[name] = NOW_SECONDS + offset
      },
  ),
  fc.tuple(fc.string({ maxLength: 10 }), anyValue).map(
    ([name, value]): Change =>
      (claims) => {
        if (name !== '__proto__') claims[name] = value
      },
  ),
)

const headerChange = (key: TestKey): fc.Arbitrary<Change> =>
  fc.oneof(
    fc.constantFrom('alg', 'kid', 'typ').map(
      (name): Change =>
        (header) => {
          delete header[name]
        },
    ),
    fc
      .constantFrom('none', 'None', 'HS256', 'RS256', 'ES256', 'PS256', 'RS384', 'rs256', 'es256')
      .map(
        (alg): Change =>
          (header) => {
            header.alg = alg
          },
      ),
    fc
      .oneof(
        fc.constantFrom(
          'JWT',
          'at+jwt',
          'AT+JWT',
          'application/at+jwt',
          'application/jwt',
          'dpop+jwt',
          '',
        ),
        anyValue,
      )
      .map(
        (typ): Change =>
          (header) => {
            header.typ = typ
          },
      ),
    fc.oneof(fc.constantFrom(key.kid, 'other', ''), anyValue).map(
      (kid): Change =>
        (header) => {
          header.kid = kid
        },
    ),
    fc
      .tuple(
        fc.constantFrom('crit', 'jku', 'jwk', 'x5u', 'x5c', 'x5t', 'b64', 'zip', 'cty'),
        anyValue,
      )
      .map(
        ([name, value]): Change =>
          (header) => {
            header[name] = name === 'jwk' ? key.jwk : value
          },
      ),
  )

/** How the signing input gets its signature. */
type Signing = 'ours' | 'impostor' | 'hmac-public-key' | 'empty' | 'garbage'

/** A change to the finished compact string. */
type Encoding =
  | 'none'
  | 'pad'
  | 'standard-alphabet'
  | 'flip-last'
  | 'space'
  | 'extra-segment'
  | 'truncate'
  | 'flip-char'

interface Recipe {
  readonly header: readonly Change[]
  readonly payloadShape: 'object' | 'array' | 'string' | 'not-json'
  readonly claims: readonly Change[]
  readonly signing: Signing
  readonly encoding: Encoding
  readonly at: number
}

const recipe = (key: TestKey): fc.Arbitrary<Recipe> =>
  fc.record({
    header: fc.array(headerChange(key), { maxLength: 2 }),
    payloadShape: fc.constantFrom(
      'object',
      'object',
      'object',
      'object',
      'array',
      'string',
      'not-json',
    ),
    claims: fc.array(claimChange, { maxLength: 3 }),
    signing: fc.constantFrom<Signing>(
      'ours',
      'ours',
      'ours',
      'impostor',
      'hmac-public-key',
      'empty',
      'garbage',
    ),
    encoding: fc.constantFrom<Encoding>(
      'none',
      'none',
      'none',
      'pad',
      'standard-alphabet',
      'flip-last',
      'space',
      'extra-segment',
      'truncate',
      'flip-char',
    ),
    at: fc.nat(),
  })

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

const build = (key: TestKey, impostor: TestKey, r: Recipe): string => {
  const header: Record<string, unknown> = { alg: key.alg, kid: key.kid, typ: 'at+jwt' }
  for (const change of r.header) change(header)
  const claims = tollgateClaims()
  for (const change of r.claims) change(claims)
  const payload =
    r.payloadShape === 'object'
      ? encodeSegment(claims)
      : r.payloadShape === 'array'
        ? encodeSegment([claims])
        : r.payloadShape === 'string'
          ? encodeSegment(JSON.stringify('a string'))
          : encodeSegment('{"iss":')
  const input = `${encodeSegment(header)}.${payload}`
  const signWith = (signer: TestKey) =>
    signBytes(
      'sha256',
      Buffer.from(input),
      signer.alg === 'ES256'
        ? { key: signer.privateKey, dsaEncoding: 'ieee-p1363' }
        : signer.privateKey,
    ).toString('base64url')
  const signature =
    r.signing === 'ours'
      ? signWith(key)
      : r.signing === 'impostor'
        ? signWith(impostor)
        : r.signing === 'hmac-public-key'
          ? createHmac('sha256', key.publicKey.export({ format: 'pem', type: 'spki' }) as string)
              .update(input)
              .digest('base64url')
          : r.signing === 'empty'
            ? ''
            : encodeSegment(`garbage ${r.at}`)
  const jwt = `${input}.${signature}`
  const at = r.at % Math.max(1, jwt.length)
  switch (r.encoding) {
    case 'none':
      return jwt
    case 'pad':
      return `${jwt}=`
    case 'standard-alphabet':
      return jwt.replaceAll('-', '+').replaceAll('_', '/')
    case 'flip-last': {
      const last = ALPHABET.indexOf(jwt.at(-1) ?? 'A')
      return `${jwt.slice(0, -1)}${ALPHABET[(last ^ 1) & 63] ?? 'A'}`
    }
    case 'space':
      return `${jwt.slice(0, at)} ${jwt.slice(at)}`
    case 'extra-segment':
      return `${jwt}.${signature}`
    case 'truncate':
      return jwt.slice(0, at)
    case 'flip-char': {
      const index = ALPHABET.indexOf(jwt[at] ?? 'A')
      if (index === -1) return jwt
      return `${jwt.slice(0, at)}${ALPHABET[(index + 1) & 63] ?? 'A'}${jwt.slice(at + 1)}`
    }
  }
}

describe.each(['RS256', 'ES256'] as const)('authorizer vs jose, %s', (alg: Alg) => {
  const key = makeTestKey(alg)
  const impostor = makeTestKey(alg, key.kid)
  const deps = buildAuthorizerDependencies({
    config: parseConfig({ ISSUER, AUDIENCE, JWT_ALG: alg }),
    keySet: { publicKeys: async () => [key.jwk] },
    clock: fixedClock(NOW),
  })
  const handler = createAuthorizerHandler(async () => deps)

  const joseAccepts = async (jwt: string): Promise<boolean> =>
    jwtVerify(jwt, key.publicKey, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: [alg],
      typ: 'at+jwt',
      clockTolerance: CLOCK_SKEW_SECONDS,
      currentDate: new Date(NOW),
    }).then(
      () => true,
      () => false,
    )

  const authorizerAllows = async (jwt: string): Promise<boolean> => {
    try {
      const answer = await handler({
        type: 'TOKEN',
        methodArn: METHOD_ARN,
        authorizationToken: `Bearer ${jwt}`,
      })
      return (
        'policyDocument' in answer &&
        answer.policyDocument.Statement.some((statement) => statement.Effect === 'Allow')
      )
    } catch (error) {
      expect((error as Error).message).toBe('Unauthorized')
      return false
    }
  }

  it('sanity: both accept the unmutated JWT, and both reject a tampered one', async () => {
    const valid = build(key, impostor, {
      header: [],
      payloadShape: 'object',
      claims: [],
      signing: 'ours',
      encoding: 'none',
      at: 0,
    })
    expect(await joseAccepts(valid)).toBe(true)
    expect(await authorizerAllows(valid)).toBe(true)
    const [h, , s] = valid.split('.')
    const tampered = `${h}.${encodeSegment(tollgateClaims({ scope: '*' }))}.${s}`
    expect(await joseAccepts(tampered)).toBe(false)
    expect(await authorizerAllows(tampered)).toBe(false)
  })

  it('every JWT jose rejects, the authorizer rejects', async () => {
    let bothAccept = 0
    await fc.assert(
      fc.asyncProperty(recipe(key), async (r) => {
        const jwt = build(key, impostor, r)
        const jose = await joseAccepts(jwt)
        const allowed = await authorizerAllows(jwt)
        if (!jose) expect(allowed).toBe(false)
        if (jose && allowed) bothAccept++
      }),
      { numRuns: RUNS },
    )
    // The generator must reach valid JWTs too, or the property says little.
    expect(bothAccept).toBeGreaterThan(0)
  })
})
