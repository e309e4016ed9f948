import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../../functions/core/config.js'
import { LEAN_CONFIG_VARIABLES, parseConfigLean } from '../../../functions/core/config-lean.js'

/**
 * parseConfigLean is parseConfig's contract without zod (the authorizer's
 * cold start): these tests hold the two parsers to one contract, so a
 * variable, rule, default or check changed in one and not the other fails
 * here.
 */

/** The property names of ENV_SCHEMA in functions/core/config.ts, in order, read from its source. */
const envSchemaVariables = (): string[] => {
  const path = new URL('../../../functions/core/config.ts', import.meta.url)
  const source = ts.createSourceFile(
    'config.ts',
    readFileSync(path, 'utf8'),
    ts.ScriptTarget.Latest,
  )
  let names: string[] | undefined
  const visit = (node: ts.Node): void => {
    if (
      ts.isVariableDeclaration(node) &&
      node.name.getText(source) === 'ENV_SCHEMA' &&
      node.initializer !== undefined &&
      ts.isCallExpression(node.initializer)
    ) {
      const [shape] = node.initializer.arguments
      if (shape !== undefined && ts.isObjectLiteralExpression(shape)) {
        names = shape.properties.map((property) => property.name?.getText(source) ?? '')
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  if (names === undefined) throw new Error('no ENV_SCHEMA = z.object({…}) in config.ts')
  return names
}

type Outcome = { readonly config: unknown } | { readonly error: unknown }

const outcome = (parse: () => unknown): Outcome => {
  try {
    return { config: parse() }
  } catch (error) {
    const { code, message } = error as { code?: unknown; message?: unknown }
    return { error: { code, message } }
  }
}

/** Values worth trying per variable: valid ones (for the checks across variables), and others. */
const URLS = {
  valid: ['https://tollgate.example', 'http://127.0.0.1:3000/', 'https://tollgate.example/base//'],
  invalid: ['ftp://tollgate.example', 'https://tollgate.example/?q', 'https://x.example/#f', 'no'],
}
const INTEGERS = {
  // Neighbours on purpose: the checks across variables compare them.
  valid: ['1', '5', '10', '11', '20', '29', '30', '31', '60', '61', '300', '3000', '3600', '7200'],
  invalid: ['0', '-1', '1e3', '12.5', '00042', '99999999999999999', 'abc', '604801', '65536'],
}
const TTLS = {
  valid: ['60', '61', '43200', '604800', '7776000', '7776001', '31536000', '31536001'],
  invalid: INTEGERS.invalid,
}
const BOOLEANS = { valid: ['true', 'false'], invalid: ['TRUE', 'yes', '1'] }
const POOLS: Readonly<Record<string, { valid: string[]; invalid: string[] }>> = {
  ISSUER: URLS,
  AUDIENCE: { valid: ['tollgate', 'api://x', 'dev:tollgate'], invalid: [] },
  JWT_ALG: { valid: ['RS256', 'ES256'], invalid: ['HS256', 'rs256', 'none'] },
  KEY_SOURCE: { valid: ['local', 'kms', 'secrets-manager', 'jwks'], invalid: ['file', 'JWKS'] },
  KMS_KEY_IDS: {
    valid: ['alias/tollgate', 'alias/a, alias/b', 'arn:aws:kms:eu-west-1:123456789012:key/1234'],
    invalid: ['alias/a,alias/a', 'bad key', 'alias/a,,alias/b'],
  },
  SIGNING_KEYS_SECRET_ID: {
    valid: ['signing', 'arn:aws:secretsmanager:eu-west-1:1:secret:s'],
    invalid: ['has space'],
  },
  PEPPER_SECRET_ID: { valid: ['pepper', 'tollgate/pepper'], invalid: ['bad*id'] },
  JWKS_URL: URLS,
  DATA_DIR: { valid: ['.data', '/tmp/tollgate'], invalid: [] },
  PORT: { valid: ['1', '3000', '65535'], invalid: ['0', '65536', 'http'] },
  TABLE_NAME: {
    valid: ['tollgate', 'tollgate.prod_1-a', 'arn:aws:dynamodb:eu-west-1:111111111111:table/t-1'],
    invalid: ['ab', 'bad name', 'x'.repeat(256), 'arn:aws:dynamodb:eu-west-1:1:table/t-1'],
  },
  MAX_JWT_DURATION_SECONDS: { valid: ['60', '3600', '43200', '604800'], invalid: ['59', '604801'] },
  DEFAULT_TOKEN_TTL_SECONDS: TTLS,
  MAX_TOKEN_TTL_SECONDS: TTLS,
  MAX_PERSONAL_TOKEN_TTL_SECONDS: TTLS,
  BASIC_AUTH_USERNAME: { valid: ['tollgate', 'svc'], invalid: ['a:b', 'a b'] },
  HTTP_API_AUTHORIZER_RESPONSE: { valid: ['simple', 'iam'], invalid: ['IAM', 'policy'] },
  ROUTE_SCOPES: {
    valid: [
      '{"GET /datasets/*":"datasets:read"}',
      '{"GET /datasets/*":"datasets:read","POST /datasets/*":"datasets:write"}',
      '{}',
    ],
    invalid: [
      '{"GET /a/../b":"x"}',
      '{"GET /x":"tollgate:admin"}',
      '{"FETCH /x":"a"}',
      '[]',
      'nope',
    ],
  },
  TRUSTED_ISSUERS: { valid: ['[]'], invalid: ['nope'] },
  ROLE_SCOPES: { valid: ['{}', '{"analyst":["datasets:read"]}'], invalid: ['[]'] },
  FEDERATION_ISSUERS: {
    valid: ['[]', '["https://token.actions.githubusercontent.com"]', '["http://127.0.0.1:4000"]'],
    invalid: ['nope', '{}', '["https://a.example","https://a.example"]', '["http://ci.example"]'],
  },
  AWS_LAMBDA_FUNCTION_NAME: { valid: ['tollgate-authorizer'], invalid: [] },
  AWS_SAM_LOCAL: { valid: ['true', 'false', 'yes'], invalid: [] },
  AWS_ENDPOINT_URL_DYNAMODB: URLS,
  AWS_ENDPOINT_URL_KMS: URLS,
  AWS_ENDPOINT_URL_SECRETS_MANAGER: URLS,
  AWS_ENDPOINT_URL: URLS,
}
/** A variable added to config.ts without a pool here still gets values. */
const poolOf = (name: string) => {
  if (POOLS[name] !== undefined) return POOLS[name]
  if (/SECONDS|PORT|MAX_ACTIVE/.test(name)) return INTEGERS
  if (/ENABLED|CHECK|ALLOW_/.test(name)) return BOOLEANS
  return { valid: ['x', '1', 'true', 'https://a.example'], invalid: [] }
}

/**
 * Mostly unset or valid, so that the checks across variables are reached;
 * sometimes padded or blank (both trimmed away) and, unless `validOnly`,
 * sometimes invalid.
 */
const sampleOf = (name: string, validOnly: boolean) => {
  const { valid, invalid } = poolOf(name)
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant(undefined) },
    { weight: 4, arbitrary: fc.constantFrom(...valid) },
    { weight: 1, arbitrary: fc.constantFrom(...valid).map((text) => ` ${text}\t`) },
    { weight: 1, arbitrary: fc.constantFrom('', '   ') },
    {
      weight: validOnly || invalid.length === 0 ? 0 : 2,
      arbitrary: fc.constantFrom(...invalid, ''),
    },
  )
}

const environments = (validOnly: boolean) =>
  fc.record(
    Object.fromEntries(
      [...LEAN_CONFIG_VARIABLES, 'UNRELATED_VARIABLE'].map((name) => [
        name,
        sampleOf(name, validOnly),
      ]),
    ),
    { requiredKeys: [] },
  ) as fc.Arbitrary<Record<string, string | undefined>>

const setsZodOnly = (env: Readonly<Record<string, string | undefined>>) =>
  ['TRUSTED_ISSUERS', 'ROLE_SCOPES'].some((name) => (env[name]?.trim() ?? '') !== '')

describe('parseConfigLean', () => {
  it("reads exactly parseConfig's variables, in its order", () => {
    expect(LEAN_CONFIG_VARIABLES).toEqual(envSchemaVariables())
  })

  it('gives what parseConfig gives for an empty environment and for a Lambda one', () => {
    const lambda = {
      AWS_LAMBDA_FUNCTION_NAME: 'tollgate-authorizer',
      AWS_REGION: 'eu-west-1',
      KEY_SOURCE: 'kms',
      KMS_KEY_IDS: 'arn:aws:kms:eu-west-1:123456789012:key/1234',
      ISSUER: 'https://tollgate.example',
      TABLE_NAME: 'tollgate-prod',
      ROUTE_SCOPES: '{"GET /datasets/*":"datasets:read"}',
    }
    for (const env of [{}, lambda]) {
      expect(outcome(() => parseConfigLean(env))).toEqual(outcome(() => parseConfig(env)))
    }
    expect(Object.isFrozen(parseConfigLean({}))).toBe(true)
    expect(Object.isFrozen(parseConfigLean({})?.routeScopes)).toBe(true)
  })

  it.each([
    ['valid values', true],
    ['any values', false],
  ])(
    'agrees with parseConfig on generated environments of %s, or leaves them to it',
    (_, validOnly) => {
      fc.assert(
        fc.property(environments(validOnly), (env) => {
          const lean = outcome(() => parseConfigLean(env))
          if ('config' in lean && lean.config === undefined) {
            expect(setsZodOnly(env)).toBe(true)
            return
          }
          expect(setsZodOnly(env)).toBe(false)
          expect(lean).toEqual(outcome(() => parseConfig(env)))
        }),
        { numRuns: Number(process.env.FUZZ_RUNS ?? 3000) },
      )
    },
  )
})
