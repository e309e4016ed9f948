import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../../functions/core/config.js'
import { parseConfigLean } from '../../../functions/core/config-lean.js'
import { TollgateError } from '../../../functions/core/errors.js'
import { requireKeyMaterial } from '../../../functions/core/key-material.js'

const DAY = 86_400
const BAD_VALUE = 'abc-secret-xyz'

const configErrorOf = (env: Record<string, string | undefined>): TollgateError => {
  try {
    parseConfig(env)
  } catch (error) {
    if (error instanceof TollgateError) return error
    throw error
  }
  throw new Error('parseConfig accepted the environment')
}

describe('parseConfig', () => {
  describe('defaults', () => {
    it('serves npm start with no environment at all', () => {
      // Act
      const config = parseConfig({})

      // Assess
      expect(config).toEqual({
        issuer: 'http://127.0.0.1:3000',
        audience: 'tollgate',
        jwtAlg: 'RS256',
        keySource: 'local',
        runtime: 'process',
        dataDir: '.data',
        port: 3000,
        tableName: 'tollgate',
        maxJwtDurationSeconds: 43_200,
        defaultTokenTtlSeconds: 90 * DAY,
        maxTokenTtlSeconds: 365 * DAY,
        allowNonExpiringTokens: false,
        maxActiveTokensPerOwner: 10,
        maxPersonalTokenTtlSeconds: 7_776_000,
        basicAuthEnabled: false,
        basicAuthUsername: 'tollgate',
        keysCacheTtlSeconds: 300,
        httpApiAuthorizerResponse: 'simple',
        routeScopes: {},
        revocationCheck: true,
        revocationMaxDelaySeconds: 30,
        revocationRefreshSeconds: 10,
        authorizerCacheTtlSeconds: 10,
        trustedIssuers: [],
        roleScopes: {},
        federationIssuers: [],
        localMode: true,
        dynamoDbEndpoint: undefined,
        kmsEndpoint: undefined,
        secretsManagerEndpoint: undefined,
      })
    })

    it('derives the default issuer from PORT', () => {
      // Act
      const config = parseConfig({ PORT: '8080' })

      // Assess
      expect(config.issuer).toBe('http://127.0.0.1:8080')
      expect(config.port).toBe(8080)
    })

    it('treats empty or blank strings and undefined as unset', () => {
      // Act
      const config = parseConfig({
        AUDIENCE: '   ',
        JWT_ALG: '',
        MAX_JWT_DURATION_SECONDS: '',
        BASIC_AUTH_ENABLED: '',
        ISSUER: undefined,
      })

      // Assess
      expect(config.audience).toBe('tollgate')
      expect(config.jwtAlg).toBe('RS256')
      expect(config.maxJwtDurationSeconds).toBe(43_200)
      expect(config.basicAuthEnabled).toBe(false)
      expect(config.issuer).toBe('http://127.0.0.1:3000')
    })

    it('ignores variables outside the contract', () => {
      // Act
      const config = parseConfig({ HOME: '/root', PATH: '/bin', SOMETHING_ELSE: BAD_VALUE })

      // Assess
      expect(config.audience).toBe('tollgate')
    })

    it('returns a frozen object', () => {
      // Act
      const config = parseConfig({ ROUTE_SCOPES: '{"GET /datasets/*":"datasets:read"}' })

      // Assess
      expect(Object.isFrozen(config)).toBe(true)
      expect(Object.isFrozen(config.routeScopes)).toBe(true)
    })
  })

  describe('values', () => {
    it('reads every variable of the contract', () => {
      // Act
      const config = parseConfig({
        ISSUER: 'https://auth.example.com',
        AUDIENCE: 'data-platform',
        JWT_ALG: 'ES256',
        KEY_SOURCE: 'local',
        DATA_DIR: '/tmp/tollgate',
        PORT: '8443',
        TABLE_NAME: 'tollgate-prod',
        MAX_JWT_DURATION_SECONDS: '3600',
        DEFAULT_TOKEN_TTL_SECONDS: '86400',
        MAX_TOKEN_TTL_SECONDS: '172800',
        ALLOW_NON_EXPIRING_TOKENS: 'true',
        MAX_ACTIVE_TOKENS_PER_OWNER: '1',
        BASIC_AUTH_ENABLED: 'true',
        BASIC_AUTH_USERNAME: 'apikey',
        REVOCATION_CHECK: 'false',
        HTTP_API_AUTHORIZER_RESPONSE: 'iam',
        AWS_ENDPOINT_URL: 'http://localhost:4566',
      })

      // Assess
      expect(config).toMatchObject({
        issuer: 'https://auth.example.com',
        audience: 'data-platform',
        jwtAlg: 'ES256',
        dataDir: '/tmp/tollgate',
        port: 8443,
        tableName: 'tollgate-prod',
        maxJwtDurationSeconds: 3600,
        defaultTokenTtlSeconds: DAY,
        maxTokenTtlSeconds: 2 * DAY,
        allowNonExpiringTokens: true,
        maxActiveTokensPerOwner: 1,
        basicAuthEnabled: true,
        basicAuthUsername: 'apikey',
        httpApiAuthorizerResponse: 'iam',
        dynamoDbEndpoint: 'http://localhost:4566',
      })
    })

    it('prefers each service-specific endpoint over the generic one', () => {
      // Act
      const config = parseConfig({
        AWS_ENDPOINT_URL: 'http://localhost:4566',
        AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:4000',
        AWS_ENDPOINT_URL_SECRETS_MANAGER: 'http://127.0.0.1:4001',
      })
      const generic = parseConfig({ AWS_ENDPOINT_URL: 'http://localhost:4566' })

      // Assess
      expect(config).toMatchObject({
        dynamoDbEndpoint: 'http://localhost:4566',
        kmsEndpoint: 'http://127.0.0.1:4000',
        secretsManagerEndpoint: 'http://127.0.0.1:4001',
      })
      expect(generic).toMatchObject({
        kmsEndpoint: 'http://localhost:4566',
        secretsManagerEndpoint: 'http://localhost:4566',
      })
    })

    it('prefers the DynamoDB-specific endpoint over the generic one', () => {
      // Act
      const config = parseConfig({
        AWS_ENDPOINT_URL: 'http://localhost:4566',
        AWS_ENDPOINT_URL_DYNAMODB: 'http://localhost:8000',
      })

      // Assess
      expect(config.dynamoDbEndpoint).toBe('http://localhost:8000')
    })

    it('trims surrounding whitespace from values', () => {
      // Act
      const config = parseConfig({
        AUDIENCE: '  data-platform\n',
        JWT_ALG: ' ES256 ',
        MAX_JWT_DURATION_SECONDS: ' 120 ',
        BASIC_AUTH_ENABLED: ' true ',
        ISSUER: ' https://auth.example.com ',
      })

      // Assess
      expect(config.audience).toBe('data-platform')
      expect(config.jwtAlg).toBe('ES256')
      expect(config.maxJwtDurationSeconds).toBe(120)
      expect(config.basicAuthEnabled).toBe(true)
      expect(config.issuer).toBe('https://auth.example.com')
    })

    it.each([
      ['https://auth.example.com/', 'https://auth.example.com'],
      ['https://auth.example.com///', 'https://auth.example.com'],
      ['http://localhost:3000', 'http://localhost:3000'],
    ])('trims trailing slashes from ISSUER %s', (issuer, expected) => {
      // Act and assess
      expect(parseConfig({ ISSUER: issuer }).issuer).toBe(expected)
    })

    it.each([
      'https://example.com/tollgate',
      'https://example.com?x=1',
      'https://example.com#top',
      'https://Auth.Example.com',
    ])('refuses ISSUER %s: RFC 8414 metadata needs a bare origin', (issuer) => {
      expect(() => parseConfig({ ISSUER: issuer })).toThrow(/ISSUER/)
      expect(() => parseConfigLean({ ISSUER: issuer })).toThrow(/ISSUER/)
    })

    it.each([
      ['true', true],
      ['false', false],
    ])('accepts %s as a boolean', (value, expected) => {
      // Act
      const config = parseConfig({
        ALLOW_NON_EXPIRING_TOKENS: value,
        BASIC_AUTH_ENABLED: value,
      })

      // Assess
      expect(config.allowNonExpiringTokens).toBe(expected)
      expect(config.basicAuthEnabled).toBe(expected)
    })

    it('parses ROUTE_SCOPES as a JSON object of route patterns to scopes', () => {
      // Act
      const config = parseConfig({
        ROUTE_SCOPES: '{"GET /datasets/*": "datasets:read", "* /admin/*": "admin", "ANY /": "x"}',
      })

      // Assess
      expect(config.routeScopes).toEqual({
        'GET /datasets/*': 'datasets:read',
        '* /admin/*': 'admin',
        'ANY /': 'x',
      })
    })

    it('accepts the bounds of MAX_JWT_DURATION_SECONDS', () => {
      // Act and assess
      expect(parseConfig({ MAX_JWT_DURATION_SECONDS: '60' }).maxJwtDurationSeconds).toBe(60)
      expect(parseConfig({ MAX_JWT_DURATION_SECONDS: String(7 * DAY) }).maxJwtDurationSeconds).toBe(
        7 * DAY,
      )
    })

    it('accepts a default token lifetime equal to the maximum', () => {
      // Act
      const config = parseConfig({
        DEFAULT_TOKEN_TTL_SECONDS: '3600',
        MAX_TOKEN_TTL_SECONDS: '3600',
      })

      // Assess
      expect(config.defaultTokenTtlSeconds).toBe(config.maxTokenTtlSeconds)
    })
  })

  describe('key sources', () => {
    const PEPPER = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:tollgate/pepper-AbCdEf'
    const KEY_1 = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'

    it('reads KEY_SOURCE=kms with its keys in order, the signing key first', () => {
      // Act
      const config = parseConfig({
        KEY_SOURCE: 'kms',
        KMS_KEY_IDS: ` ${KEY_1} , alias/tollgate-next`,
        PEPPER_SECRET_ID: PEPPER,
        SIGNING_KEYS_SECRET_ID: 'ignored-for-kms',
      })

      // Assess
      expect(config).toMatchObject({
        keySource: 'kms',
        kmsKeyIds: [KEY_1, 'alias/tollgate-next'],
        pepperSecretId: PEPPER,
        localMode: false,
      })
      // Each key source carries its own settings only.
      expect(config).not.toHaveProperty('signingKeysSecretId')
      expect(config.keySource === 'kms' && Object.isFrozen(config.kmsKeyIds)).toBe(true)
    })

    it('reads KEY_SOURCE=secrets-manager with both secrets', () => {
      // Act
      const config = parseConfig({
        KEY_SOURCE: 'secrets-manager',
        SIGNING_KEYS_SECRET_ID: 'tollgate/signing-keys',
        PEPPER_SECRET_ID: 'tollgate/pepper',
        KMS_KEY_IDS: KEY_1,
      })

      // Assess
      expect(config).toMatchObject({
        keySource: 'secrets-manager',
        signingKeysSecretId: 'tollgate/signing-keys',
        pepperSecretId: 'tollgate/pepper',
        localMode: false,
      })
    })

    it.each([
      ['kms', ['public-keys'], {}, ['KMS_KEY_IDS']],
      ['kms', ['signer', 'pepper'], { KMS_KEY_IDS: KEY_1 }, ['PEPPER_SECRET_ID']],
      ['kms', ['signer', 'pepper'], {}, ['KMS_KEY_IDS', 'PEPPER_SECRET_ID']],
      ['secrets-manager', ['signer'], { PEPPER_SECRET_ID: PEPPER }, ['SIGNING_KEYS_SECRET_ID']],
      ['secrets-manager', ['public-keys', 'pepper'], {}, ['PEPPER_SECRET_ID']],
    ] as const)(
      'fails the cold start of a function using %s %j without %j, naming %j',
      (keySource, needs, env, names) => {
        // Act
        const config = parseConfig({ KEY_SOURCE: keySource, ...env })
        let error: unknown
        try {
          requireKeyMaterial(config, needs)
        } catch (caught) {
          error = caught
        }

        // Assess
        expect(error).toBeInstanceOf(TollgateError)
        const message = (error as TollgateError).message
        for (const name of names) expect(message).toContain(name)
        expect(message).toContain(`required with KEY_SOURCE=${keySource}`)
      },
    )

    it.each([
      ['kms', ['public-keys'], { KMS_KEY_IDS: KEY_1 }],
      ['secrets-manager', ['public-keys'], {}],
      [
        'secrets-manager',
        ['signer', 'pepper'],
        { SIGNING_KEYS_SECRET_ID: 'a', PEPPER_SECRET_ID: 'b' },
      ],
      ['local', ['public-keys', 'signer', 'pepper'], {}],
    ] as const)('lets a %s function that needs %j start with %j', (keySource, needs, env) => {
      // Act and assess: a verifier of another stack's JWTs is told no pepper or secret.
      const config = parseConfig({ KEY_SOURCE: keySource, ...env })
      expect(requireKeyMaterial(config, needs)).toBe(config)
    })

    it('refuses KEY_SOURCE=local on Lambda, where every instance would mint its own keys', () => {
      // Act
      const error = configErrorOf({ AWS_LAMBDA_FUNCTION_NAME: 'tollgate-exchange' })

      // Assess
      expect(error.message).toContain('KEY_SOURCE=local')
      expect(error.message).toContain('AWS_LAMBDA_FUNCTION_NAME')
      expect(error.message).not.toContain('tollgate-exchange')
    })

    it('allows the local key file under sam local, read-only, still in local mode', () => {
      // Act
      const config = parseConfig({ AWS_LAMBDA_FUNCTION_NAME: 'Jwks', AWS_SAM_LOCAL: 'true' })

      // Assess
      expect(config).toMatchObject({ keySource: 'local', localMode: true, runtime: 'sam-local' })
    })

    it('runs KEY_SOURCE=kms on Lambda, outside local mode', () => {
      // Act
      const config = parseConfig({
        AWS_LAMBDA_FUNCTION_NAME: 'Jwks',
        KEY_SOURCE: 'kms',
        KMS_KEY_IDS: KEY_1,
        PEPPER_SECRET_ID: PEPPER,
      })

      // Assess
      expect(config).toMatchObject({ localMode: false, runtime: 'lambda' })
    })

    describe('KEY_SOURCE=jwks (a consumer’s authorizer, any account)', () => {
      const ISSUER = 'https://abc123.execute-api.eu-west-1.amazonaws.com'
      const TABLE_ARN = 'arn:aws:dynamodb:eu-west-1:111111111111:table/Tollgate-TokenTable-1A2B3C'

      it("reads the issuer's own JWKS URL by default, and the table by its ARN", () => {
        // Act
        const config = parseConfig({
          AWS_LAMBDA_FUNCTION_NAME: 'Authorizer',
          KEY_SOURCE: 'jwks',
          ISSUER: `${ISSUER}/`,
          TABLE_NAME: TABLE_ARN,
          KMS_KEY_IDS: KEY_1,
        })

        // Assess
        expect(config).toMatchObject({
          keySource: 'jwks',
          jwksUrl: `${ISSUER}/.well-known/jwks.json`,
          tableName: TABLE_ARN,
          localMode: false,
        })
        expect(config).not.toHaveProperty('kmsKeyIds')
      })

      it('reads JWKS_URL where it is given', () => {
        const config = parseConfig({
          KEY_SOURCE: 'jwks',
          ISSUER,
          JWKS_URL: 'https://keys.example/jwks.json',
        })
        expect(config).toMatchObject({ jwksUrl: 'https://keys.example/jwks.json' })
      })

      it.each([
        [{ ISSUER: 'http://tollgate.example' }],
        [{ ISSUER, JWKS_URL: 'http://127.0.0.1:3000/.well-known/jwks.json' }],
        [{}],
      ])('refuses a plain-http JWKS on Lambda (%j)', (env) => {
        const error = configErrorOf({
          AWS_LAMBDA_FUNCTION_NAME: 'Authorizer',
          KEY_SOURCE: 'jwks',
          ...env,
        })
        expect(error.message).toContain('KEY_SOURCE=jwks fetches keys over https only on Lambda')
      })

      it('allows a plain-http JWKS off Lambda, where the fetcher allows loopback only', () => {
        expect(parseConfig({ KEY_SOURCE: 'jwks' })).toMatchObject({
          jwksUrl: 'http://127.0.0.1:3000/.well-known/jwks.json',
          runtime: 'process',
        })
      })

      it('starts a verifier, and refuses any function that signs or hashes', () => {
        const config = parseConfig({ KEY_SOURCE: 'jwks', ISSUER })
        expect(requireKeyMaterial(config, ['public-keys'])).toBe(config)
        for (const needs of [['signer'], ['public-keys', 'pepper']] as const) {
          expect(() => requireKeyMaterial(config, needs)).toThrow(
            /KEY_SOURCE=jwks only verifies .*needs the (signer|pepper).*Basic auth needs the Tollgate stack's authorizer/,
          )
        }
      })

      it.each([
        'arn:aws:dynamodb:eu-west-1:1111:table/Tollgate',
        'arn:aws:s3:::bucket',
        'arn:aws:dynamodb:eu-west-1:111111111111:table/Tollgate/index/gsi1',
      ])('refuses TABLE_NAME=%j, neither a table name nor its ARN', (tableName) => {
        expect(configErrorOf({ TABLE_NAME: tableName }).message).toContain('TABLE_NAME')
      })
    })

    it.each([
      ['KMS_KEY_IDS', `${BAD_VALUE},`],
      ['KMS_KEY_IDS', `${BAD_VALUE},${BAD_VALUE}`],
      ['KMS_KEY_IDS', `${BAD_VALUE} key`],
      ['SIGNING_KEYS_SECRET_ID', `${BAD_VALUE} {}`],
      ['PEPPER_SECRET_ID', `{"current":"${BAD_VALUE}"}`],
      ['AWS_ENDPOINT_URL_KMS', BAD_VALUE],
      ['AWS_ENDPOINT_URL_SECRETS_MANAGER', BAD_VALUE],
    ])('refuses %s=%j without echoing it', (name, value) => {
      // Act
      const error = configErrorOf({ KEY_SOURCE: 'kms', [name]: value })

      // Assess
      expect(error.message).toContain(name)
      expect(error.message).not.toContain(BAD_VALUE)
    })
  })

  describe('invalid values', () => {
    it.each([
      ['ISSUER', 'not a url'],
      ['ISSUER', 'ftp://auth.example.com'],
      ['JWT_ALG', 'HS256'],
      ['JWT_ALG', 'none'],
      ['JWT_ALG', 'rs256'],
      ['KEY_SOURCE', 'file'],
      ['PORT', '-1'],
      ['PORT', '65536'],
      ['PORT', '80.5'],
      ['TABLE_NAME', 'ab'],
      ['TABLE_NAME', 'my table'],
      ['MAX_JWT_DURATION_SECONDS', 'abc'],
      ['MAX_JWT_DURATION_SECONDS', '59'],
      ['MAX_JWT_DURATION_SECONDS', String(7 * DAY + 1)],
      ['MAX_JWT_DURATION_SECONDS', '1e3'],
      ['MAX_JWT_DURATION_SECONDS', '0x100'],
      ['MAX_JWT_DURATION_SECONDS', '-300'],
      ['MAX_JWT_DURATION_SECONDS', '99999999999999999999'],
      ['DEFAULT_TOKEN_TTL_SECONDS', '59'],
      ['MAX_TOKEN_TTL_SECONDS', '1.5'],
      ['MAX_ACTIVE_TOKENS_PER_OWNER', '0'],
      ['MAX_ACTIVE_TOKENS_PER_OWNER', '10001'],
      ['BASIC_AUTH_USERNAME', 'user:name'],
      ['BASIC_AUTH_USERNAME', 'user name'],
      ['HTTP_API_AUTHORIZER_RESPONSE', 'policy'],
      ['ROUTE_SCOPES', 'not json'],
      ['ROUTE_SCOPES', '["GET /x"]'],
      ['ROUTE_SCOPES', '"GET /x"'],
      ['ROUTE_SCOPES', '{"GET /x": 1}'],
      ['ROUTE_SCOPES', '{"GET /x": "two scopes"}'],
      ['ROUTE_SCOPES', '{"GET /x/../admin": "x"}'],
      ['ROUTE_SCOPES', '{"GET /x%2Fy": "x"}'],
      ['AWS_ENDPOINT_URL', 'localhost'],
      ['AWS_ENDPOINT_URL', 'localhost:8000'],
      ['ROUTE_SCOPES', 'null'],
      ['AWS_ENDPOINT_URL_DYNAMODB', 'not a url'],
    ])('fails the start on %s=%j with a message naming the variable', (name, value) => {
      // Act
      const error = configErrorOf({ [name]: value })

      // Assess
      expect(error.code).toBe('internal')
      expect(error.message).toContain(name)
    })

    it.each(['TRUE', 'False', '1', '0', 'yes', 'no', 'on'])(
      'accepts only true or false as a boolean, not %s',
      (value) => {
        for (const name of ['ALLOW_NON_EXPIRING_TOKENS', 'BASIC_AUTH_ENABLED']) {
          // Act
          const error = configErrorOf({ [name]: value })

          // Assess
          expect(error.message).toContain(name)
        }
      },
    )

    it.each([
      ['ISSUER', BAD_VALUE],
      ['ISSUER', `ftp://${BAD_VALUE}`],
      ['JWT_ALG', BAD_VALUE],
      ['KEY_SOURCE', BAD_VALUE],
      ['PORT', BAD_VALUE],
      ['TABLE_NAME', `${BAD_VALUE}!`],
      ['MAX_JWT_DURATION_SECONDS', BAD_VALUE],
      ['DEFAULT_TOKEN_TTL_SECONDS', BAD_VALUE],
      ['MAX_TOKEN_TTL_SECONDS', BAD_VALUE],
      ['ALLOW_NON_EXPIRING_TOKENS', BAD_VALUE],
      ['MAX_ACTIVE_TOKENS_PER_OWNER', BAD_VALUE],
      ['BASIC_AUTH_ENABLED', BAD_VALUE],
      ['BASIC_AUTH_USERNAME', `${BAD_VALUE}:x`],
      ['REVOCATION_CHECK', BAD_VALUE],
      ['HTTP_API_AUTHORIZER_RESPONSE', BAD_VALUE],
      ['ROUTE_SCOPES', BAD_VALUE],
      ['ROUTE_SCOPES', `[${JSON.stringify(BAD_VALUE)}]`],
      ['ROUTE_SCOPES', `{"GET /x": "${BAD_VALUE} y"}`],
      ['ROUTE_SCOPES', `{"${BAD_VALUE}": "x"}`],
      ['TRUSTED_ISSUERS', BAD_VALUE],
      ['TRUSTED_ISSUERS', `[{"id": "${BAD_VALUE}"}]`],
      ['ROLE_SCOPES', `{"${BAD_VALUE}": "not a list"}`],
      ['KEYS_CACHE_TTL_SECONDS', BAD_VALUE],
      ['AWS_ENDPOINT_URL', BAD_VALUE],
      ['AWS_ENDPOINT_URL_DYNAMODB', BAD_VALUE],
    ])('never echoes a bad %s value (%j)', (name, value) => {
      // Prepare
      const env = { AUDIENCE: 'fine', [name]: value }

      // Act
      const error = configErrorOf(env)

      // Assess
      expect(error.message).toContain(name)
      expect(error.message).not.toContain(BAD_VALUE)
      // No piece of the value either; "secrets-manager" is a KEY_SOURCE the message may list.
      expect(error.message.replaceAll('secrets-manager', '')).not.toMatch(/abc|secret|xyz/)
    })

    it('refuses a deny-list refresh that could never keep within the revocation budget', () => {
      expect(
        configErrorOf({ REVOCATION_REFRESH_SECONDS: '20', AUTHORIZER_CACHE_TTL_SECONDS: '10' })
          .message,
      ).toMatch(/REVOCATION_REFRESH_SECONDS \+ AUTHORIZER_CACHE_TTL_SECONDS must be below/)
      expect(
        parseConfig({ REVOCATION_REFRESH_SECONDS: '19', AUTHORIZER_CACHE_TTL_SECONDS: '10' }),
      ).toMatchObject({
        revocationRefreshSeconds: 19,
      })
    })

    it.each([
      [
        'ISSUER among the trusted issuers',
        [{ issuer: 'http://127.0.0.1:3000' }],
        /may not name ISSUER/,
      ],
      ['its development issuer', [{ issuer: 'http://127.0.0.1:3000/dev' }], /may not name ISSUER/],
      ['AUDIENCE as a trusted audience', [{ audience: 'tollgate' }], /may not equal AUDIENCE/],
      ['AUDIENCE as a client id', [{ client_id: 'tollgate' }], /may not equal AUDIENCE/],
      ['an empty client id', [{ client_id: '' }], /TRUSTED_ISSUERS/],
      ['the reserved id dev', [{ id: 'dev' }], /may not use the id "dev"/],
      [
        'two entries with one id',
        [{}, { issuer: 'https://other.example.com' }],
        /ids must be unique/,
      ],
    ])('refuses %s in TRUSTED_ISSUERS', (_name, overrides, message) => {
      const entries = overrides.map((o) => ({
        id: 'okta',
        issuer: 'https://acme.okta.com',
        jwks_uri: 'https://acme.okta.com/oauth2/v1/keys',
        audience: 'api://tollgate',
        ...o,
      }))

      expect(configErrorOf({ TRUSTED_ISSUERS: JSON.stringify(entries) }).message).toMatch(message)
    })

    it.each([
      ['not a JSON list', 'https://a.example', /FEDERATION_ISSUERS must be a JSON list/],
      [
        'a URL with a query',
        '["https://a.example/?x=1"]',
        /FEDERATION_ISSUERS must be a JSON list/,
      ],
      ['one issuer twice', '["https://a.example","https://a.example"]', /must be a JSON list/],
      ['one issuer twice, by a slash', '["https://a.example","https://a.example/"]', /twice/],
      ['plain http off loopback', '["http://ci.example"]', /must be https URLs/],
      ['ISSUER itself', '["http://127.0.0.1:3000"]', /may not name ISSUER/],
      ['its development issuer', '["http://127.0.0.1:3000/dev/"]', /may not name ISSUER/],
    ])('refuses %s in FEDERATION_ISSUERS', (_name, value, message) => {
      expect(configErrorOf({ FEDERATION_ISSUERS: value }).message).toMatch(message)
    })

    it('reads FEDERATION_ISSUERS, plain http to loopback only in local mode', () => {
      const issuers = ['https://token.actions.githubusercontent.com', 'http://127.0.0.1:4000']

      expect(
        parseConfig({ FEDERATION_ISSUERS: JSON.stringify(issuers) }).federationIssuers,
      ).toEqual(issuers)
      expect(
        configErrorOf({
          FEDERATION_ISSUERS: JSON.stringify(issuers),
          KEY_SOURCE: 'kms',
          KMS_KEY_IDS: 'alias/tollgate',
          AWS_LAMBDA_FUNCTION_NAME: 'tollgate',
        }).message,
      ).toMatch(/FEDERATION_ISSUERS must be https URLs/)
    })

    it('reads TRUSTED_ISSUERS and ROLE_SCOPES', () => {
      const config = parseConfig({
        TRUSTED_ISSUERS: JSON.stringify([
          {
            id: 'okta',
            issuer: 'https://acme.okta.com',
            jwks_uri: 'https://acme.okta.com/oauth2/v1/keys',
            audience: 'api://tollgate',
            client_id: '0oa-console',
            roles_claim: 'groups',
            role_map: { 'Platform Admins': 'admin', Analysts: 'analyst' },
          },
        ]),
        ROLE_SCOPES: JSON.stringify({ analyst: ['datasets:read'] }),
      })

      expect(config.trustedIssuers).toEqual([
        {
          id: 'okta',
          issuer: 'https://acme.okta.com',
          jwksUri: 'https://acme.okta.com/oauth2/v1/keys',
          audience: 'api://tollgate',
          clientId: '0oa-console',
          subjectClaim: 'sub',
          rolesClaim: 'groups',
          roleMap: { 'Platform Admins': 'admin', Analysts: 'analyst' },
        },
      ])
      expect(config.roleScopes).toEqual({ analyst: ['datasets:read'] })
    })

    it.each([
      'https://auth.example.com/?x=1',
      'https://auth.example.com/#f',
      'https://a.example/?',
    ])('refuses an ISSUER with a query or fragment (%s), which would break jwks_uri', (issuer) => {
      expect(configErrorOf({ ISSUER: issuer }).message).toContain('ISSUER')
    })

    it('refuses PORT=0, which would make the default issuer unreachable', () => {
      expect(configErrorOf({ PORT: '0' }).message).toContain('PORT')
    })

    it('reports every bad variable at once', () => {
      // Act
      const error = configErrorOf({ JWT_ALG: 'HS256', PORT: 'x', REVOCATION_CHECK: 'yes' })

      // Assess
      expect(error.message).toContain('JWT_ALG')
      expect(error.message).toContain('PORT')
      expect(error.message).toContain('REVOCATION_CHECK')
    })

    it('rejects a default token lifetime above the maximum', () => {
      // Act
      const error = configErrorOf({
        DEFAULT_TOKEN_TTL_SECONDS: '7200',
        MAX_TOKEN_TTL_SECONDS: '3600',
      })

      // Assess
      expect(error.code).toBe('internal')
      expect(error.message).toContain('DEFAULT_TOKEN_TTL_SECONDS')
      expect(error.message).toContain('MAX_TOKEN_TTL_SECONDS')
    })

    it('rejects a maximum token lifetime below the default default', () => {
      // Act
      const error = configErrorOf({ MAX_TOKEN_TTL_SECONDS: String(DAY) })

      // Assess
      expect(error.message).toContain('DEFAULT_TOKEN_TTL_SECONDS')
    })
  })
})
