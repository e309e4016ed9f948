import fc from 'fast-check'
import type { Signer } from '../../functions/core/ports.js'
import { ROUTES, type Route } from '../../functions/core/routes.js'
import { attackTokens, makeTestKey, signWithJose, tollgateClaims } from './jwt-attacks.js'

/** fast-check runs per property: bounded in `npm test`, FUZZ_RUNS in `npm run fuzz`. */
export const fuzzRuns = (bounded: number): number => {
  const asked = Number(process.env.FUZZ_RUNS)
  return Number.isInteger(asked) && asked > 0 ? asked : bounded
}

/** An Authorization header (or none) and whether it is a credential Tollgate issued and honours. */
export interface Credential {
  readonly header: string | undefined
  readonly valid: boolean
  readonly label: string
}

/** Characters fetch accepts in a header value (a ByteString without CR, LF or NUL). */
const headerChar = fc.oneof(
  { weight: 9, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
  { weight: 1, arbitrary: fc.integer({ min: 0xa0, max: 0xff }) },
  { weight: 1, arbitrary: fc.constant(0x09) },
)
export const headerValue = (maxLength = 80) =>
  fc.string({ unit: headerChar.map((code) => String.fromCharCode(code)), maxLength })

const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

/** Every single-character change of `jwt` within its alphabet: never a valid JWT again. */
const tampered = (jwt: string) =>
  fc
    .tuple(fc.nat({ max: jwt.length - 1 }), fc.constantFrom(...`${BASE64URL}.`))
    .filter(([at, char]) => jwt[at] !== char)
    .map(([at, char]) => jwt.slice(0, at) + char + jwt.slice(at + 1))

const base64url = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

/**
 * JWTs carrying a real signature of the server's own key over claims that
 * the rules refuse: wrong issuer or audience, expired, not yet valid, a
 * header that names an outside key, no `alg` it accepts, no `jti`. Only the
 * rules can refuse them, not the signature.
 */
export const ruleBreakingJwts = async (signer: Signer, validJwt: string): Promise<string[]> => {
  const [headerPart = '', payloadPart = ''] = validJwt.split('.')
  const header = JSON.parse(Buffer.from(headerPart, 'base64url').toString()) as Record<
    string,
    unknown
  >
  const claims = JSON.parse(Buffer.from(payloadPart, 'base64url').toString()) as Record<
    string,
    unknown
  >
  const now = Math.floor(Date.now() / 1000)
  const variants: Array<[Record<string, unknown>, Record<string, unknown>]> = [
    [{}, { iss: 'https://evil.example' }],
    [{}, { aud: 'someone-else' }],
    [{}, { exp: now - 3600, iat: now - 7200, nbf: now - 7200 }],
    [{}, { nbf: now + 3600, iat: now + 3600, exp: now + 7200 }],
    [{}, { exp: now + 10 * 86_400 }],
    [{}, { jti: undefined }],
    [{}, { atv: 0 }],
    [{ jku: 'https://evil.example/jwks.json' }, {}],
    [{ jwk: { kty: 'oct', k: 'AAAA' } }, {}],
    [{ alg: 'none' }, {}],
    [{ alg: 'HS256' }, {}],
    [{ typ: 'JOSE+JSON' }, {}],
    [{ crit: ['exp'] }, {}],
  ]
  return Promise.all(
    variants.map(async ([headerChange, claimsChange]) => {
      const signature = await signer.sign((kid) =>
        Buffer.from(
          `${base64url({ ...header, kid, ...headerChange })}.${base64url({ ...claims, ...claimsChange })}`,
        ),
      )
      return `${Buffer.from(signature.signingInput).toString()}.${Buffer.from(signature.signature).toString('base64url')}`
    }),
  )
}

export interface CredentialPool {
  /** Bearer JWTs Tollgate issued to live callers. */
  readonly validJwts: readonly string[]
  /** The access tokens themselves (valid in an exchange body, never as a bearer). */
  readonly accessTokens: readonly string[]
  readonly revokedJwt: string
  readonly ruleBreaking: readonly string[]
}

/**
 * Authorization headers, labelled valid only when they are exactly
 * `Bearer <a live JWT Tollgate issued>`; everything else must never pass.
 */
export const credentials = async (pool: CredentialPool): Promise<fc.Arbitrary<Credential>> => {
  const outsider = makeTestKey('RS256', 'tollgate-key')
  const outsiderJwt = await signWithJose(outsider, tollgateClaims())
  const attacks = attackTokens(outsider).map((attack) => attack.token)
  const invalid = (label: string, header: fc.Arbitrary<string | undefined>) =>
    header.map((value): Credential => ({ header: value, valid: false, label }))
  return fc.oneof(
    fc
      .constantFrom(...pool.validJwts)
      .map((jwt): Credential => ({ header: `Bearer ${jwt}`, valid: true, label: 'valid' })),
    invalid('none', fc.constant(undefined)),
    invalid('empty', fc.constant('')),
    invalid('any', headerValue()),
    invalid(
      'bearer any',
      headerValue(400).map((value) => `Bearer ${value}`),
    ),
    invalid(
      'tampered',
      fc.constantFrom(...pool.validJwts).chain((jwt) => tampered(jwt).map((t) => `Bearer ${t}`)),
    ),
    invalid('revoked', fc.constant(`Bearer ${pool.revokedJwt}`)),
    invalid(
      'rule-breaking',
      fc.constantFrom(...pool.ruleBreaking).map((jwt) => `Bearer ${jwt}`),
    ),
    invalid(
      'outsider',
      fc.constantFrom(outsiderJwt, ...attacks).map((jwt) => `Bearer ${jwt}`),
    ),
    invalid(
      'access token as bearer',
      fc.constantFrom(...pool.accessTokens).map((t) => `Bearer ${t}`),
    ),
    invalid(
      'basic',
      fc
        .constantFrom(...pool.accessTokens)
        .map((t) => `Basic ${Buffer.from(`tollgate:${t}`).toString('base64')}`),
    ),
    invalid('jwt without scheme', fc.constantFrom(...pool.validJwts)),
  )
}

/** Strings a path parameter may be: ids that exist, near misses, and anything. */
export const pathParameter = (known: readonly string[]) =>
  fc.oneof(
    fc.constantFrom(...known),
    fc
      .constantFrom(...known)
      .chain((id) =>
        fc.nat({ max: id.length - 1 }).map((at) => `${id.slice(0, at)}${id.slice(at + 1)}`),
      ),
    fc.string({ maxLength: 40 }).map(encodeURIComponent),
    fc.string({ unit: 'binary', maxLength: 20 }).map(encodeURIComponent),
    fc.constantFrom('..', '.', '%2F', '%2e%2e', '%00', 'a%zz', '%', '~', "'", '"', 'a b'),
    fc.stringMatching(/^[A-Za-z0-9_]{1,300}$/),
  )

const QUERY_KEYS = ['limit', 'cursor', 'owner', 'name', 'status', 'scope', '__proto__', 'x']

/** A query string: the lists' own keys with any value, unknown keys, repeats. */
export const queryString = (known: readonly string[]) =>
  fc
    .array(
      fc.tuple(
        fc.oneof(fc.constantFrom(...QUERY_KEYS), fc.string({ maxLength: 10 })),
        fc.oneof(
          fc.constantFrom('1', '0', '100', '101', '-1', '1e3', 'active', 'revoked', ''),
          fc.constantFrom(...known),
          fc.string({ maxLength: 40 }),
          fc.stringMatching(/^[A-Za-z0-9_-]{1,600}$/),
        ),
      ),
      { maxLength: 4 },
    )
    .map((pairs) =>
      pairs.length === 0
        ? ''
        : `?${pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}`,
    )

const BODY_FIELDS = [
  'name',
  'description',
  'roles',
  'scopes',
  'service_account_id',
  'expires_in_seconds',
  'owner',
  'access_token',
  'duration_seconds',
  'scope',
  '__proto__',
  'constructor',
]

/** A JSON value of the shape a field might take, or not. */
const fieldValue = (known: readonly string[]) =>
  fc.oneof(
    fc.constantFrom(...known),
    fc.string({ maxLength: 70 }),
    fc.stringMatching(/^[a-z][a-z0-9_.:-]{0,70}$/),
    fc.array(fc.stringMatching(/^[a-z][a-z0-9_.:-]{0,10}$/), { maxLength: 5 }),
    fc.array(fc.string({ maxLength: 10 }), { maxLength: 5 }),
    fc.integer(),
    fc.constantFrom(null, true, 0, -1, 59, 60, 300, 43_200, 1e308, Number.MAX_SAFE_INTEGER),
    fc.double(),
    fc.jsonValue({ maxDepth: 2 }),
  )

/** Mostly a valid value, sometimes anything: enough gets past validation to reach the use cases. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, any: fc.Arbitrary<U>) =>
  fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: any })

const resourceName = mostly(
  fc.stringMatching(/^[A-Za-z0-9](?:[A-Za-z0-9 ._-]{0,19}[A-Za-z0-9._-])?$/),
  fc.string({ maxLength: 70 }),
)
const description = mostly(fc.string({ maxLength: 40 }), fc.string({ maxLength: 1100 }))
const permissions = mostly(
  fc.subarray(['data:read', 'tokens:read']),
  fc.oneof(
    fc.array(fc.stringMatching(/^[a-z][a-z0-9_.:-]{0,63}$/), { maxLength: 3 }),
    fc.array(fc.constantFrom('admin', 'tokens:write', 'Data', ''), { maxLength: 2 }),
    fc.jsonValue({ maxDepth: 1 }),
  ),
)

/**
 * Bodies of the shapes the routes take (account and token creates, patches,
 * exchanges, owner revokes), each field mostly valid, by route key.
 */
const shapes = (known: readonly string[], accessTokens: readonly string[]) => {
  const patch = fc.record(
    { name: resourceName, description, roles: permissions, scopes: permissions },
    { requiredKeys: [] },
  )
  return {
    'POST /service-accounts': fc.record(
      { name: resourceName, description, roles: permissions, scopes: permissions },
      { requiredKeys: ['name', 'roles', 'scopes'] },
    ),
    'POST /access-tokens': fc.record(
      {
        name: resourceName,
        description,
        service_account_id: mostly(fc.constantFrom(...known), fc.string({ maxLength: 30 })),
        scopes: permissions,
        roles: permissions,
        expires_in_seconds: mostly(
          fc.constantFrom(60, 3600, 86_400),
          fc.oneof(fc.constantFrom(null, 59, 86_400 * 400), fc.integer(), fc.double()),
        ),
      },
      { requiredKeys: ['name'] },
    ),
    'PATCH /service-accounts/{id}': patch,
    'PATCH /access-tokens/{id}': patch,
    'POST /access-tokens/jwt': fc.record(
      {
        access_token: mostly(fc.constantFrom(...accessTokens), fc.string({ maxLength: 80 })),
        duration_seconds: mostly(
          fc.constantFrom(60, 300, 3600),
          fc.oneof(fc.constantFrom(59, 43_201, 1e308), fc.double(), fc.string()),
        ),
        scope: mostly(
          fc.constantFrom('data:read', 'tokens:read', 'data:read tokens:read'),
          fc.oneof(fc.constantFrom('x', '', '  '), fc.string()),
        ),
      },
      { requiredKeys: ['access_token'] },
    ),
    'POST /access-tokens/revoke': fc.record({
      owner: mostly(fc.constantFrom(...known), fc.string({ maxLength: 40 })),
    }),
  } as Readonly<Record<string, fc.Arbitrary<unknown>>>
}

const shapedBody = (known: readonly string[], accessTokens: readonly string[]) =>
  fc.oneof(...Object.values(shapes(known, accessTokens)))

/**
 * A body for `key`: mostly of the route's own shape (or none, for routes
 * that take none), else any body at all.
 */
export const routeBody = (key: string, known: readonly string[], accessTokens: readonly string[]) =>
  mostly(
    shapes(known, accessTokens)[key]?.map((value): string | undefined => JSON.stringify(value)) ??
      fc.constant(undefined),
    requestBody(known, accessTokens),
  )

/** A request body: none, a near-valid object, any JSON, any bytes. */
export const requestBody = (known: readonly string[], accessTokens: readonly string[]) =>
  fc.oneof(
    { weight: 1, arbitrary: fc.constant(undefined) },
    {
      weight: 3,
      arbitrary: fc
        .dictionary(fc.constantFrom(...BODY_FIELDS), fieldValue(known), { maxKeys: 5 })
        .map((value) => JSON.stringify(value)),
    },
    {
      weight: 5,
      arbitrary: shapedBody(known, accessTokens).map((value) => JSON.stringify(value)),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 200 }) },
    { weight: 1, arbitrary: fc.constantFrom('{', '[]', 'null', '{"a":1}{', '\u0000', '{"name":') },
  )

export const anyContentType = fc.oneof(
  fc.constantFrom(
    undefined,
    'application/json',
    'application/json; charset=utf-8',
    'APPLICATION/JSON',
    'application/merge-patch+json',
    'text/plain',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
  ),
  headerValue(40),
)

/** Mostly JSON, so that bodies are read; sometimes anything. */
export const contentType = mostly(fc.constant('application/json'), anyContentType)

export const ifMatch = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom('"1"', '"2"', '"3"', '"4"', '"5"'),
  fc.constantFrom('*', 'W/"1"', '"1", "2"', '1', '""', '"999999999999999999999"', '"-1"', '"1.0"'),
  headerValue(40),
)

/** The route table's paths with parameters filled in, plus paths no route has. */
export const routeTarget = (known: readonly string[]) =>
  fc.oneof(
    {
      weight: 8,
      arbitrary: fc
        .tuple(fc.constantFrom(...ROUTES), pathParameter(known))
        .map(([route, id]): { route: Route | undefined; method: string; path: string } => ({
          route,
          method: route.method,
          path: route.path.replace('{id}', id),
        })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'),
          fc.oneof(
            fc.constantFrom(...ROUTES.map((r) => r.path.replace('{id}', 'x'))),
            fc.constantFrom('/', '/dev/login', '/dev/jwks.json', '/_local/store', '/oauth2/token'),
            fc.webPath(),
          ),
        )
        .map(([method, path]) => ({ route: undefined, method, path })),
    },
  )
