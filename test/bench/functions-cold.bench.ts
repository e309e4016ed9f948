import { randomUUID } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { buildConsoleAssets } from '../../console/build.js'
import { systemClock } from '../../functions/adapters/system-clock.js'
import { parseConfig } from '../../functions/core/config.js'
import { ROUTES } from '../../functions/core/routes.js'
import { bootstrapAdmin } from '../../functions/core/use-cases/bootstrap-admin.js'
import { exchangeToken } from '../../functions/core/use-cases/exchange-token.js'
import { initKeys } from '../../functions/operations/keys-init.js'
import { ensureTokenTable } from '../../functions/operations/token-table-setup.js'
import { buildDependencies } from '../../functions/wiring/dependencies.js'
import { bundle } from '../../infra/bundling.js'
import { startFakeAws } from '../support/fake-aws.js'
import { httpApiEvent } from '../support/http-events.js'
import { restTokenEvent } from './authorizer-events.js'
import { bundleSizes, type ChildReport, coldHarness, kB } from './cold.js'
import type { BenchEnvironment } from './environment.js'
import { figure } from './figures.js'
import { pairedDifferences } from './stats.js'
import type { Figure, SuiteResult } from './types.js'

/** Rounds of one fresh process per function, in rotating order, after one discarded round. */
const ROUNDS = 10
const TABLE_NAME = 'tollgate-bench-functions'

/** Every Lambda entry: the routed handlers, then the ones API Gateway does not route. */
const FUNCTIONS = [
  ...new Set([...ROUTES.map((route) => route.handler), 'authorizer', 'keys-init', 'key-rotation']),
]

/**
 * The console as a browser downloads it (`console/build.ts`, the build the
 * dev server and the console Lambda serve): its bytes, and gzip's, which is
 * closer to what travels.
 */
const consoleBundleFigures = async (): Promise<Figure[]> => {
  const bodies = Object.values(await buildConsoleAssets()).map((asset) => asset.body)
  const bytes = bodies.reduce((sum, body) => sum + Buffer.byteLength(body), 0)
  const gzipped = bodies.reduce((sum, body) => sum + gzipSync(body).byteLength, 0)
  return [
    figure('console.bundle.bytes', 'console bundle (index.html, app.js, app.css)', 'kB', [
      kB(bytes),
    ]),
    figure('console.bundle.gzip_bytes', 'console bundle, gzipped', 'kB', [kB(gzipped)]),
  ]
}

/** What a first call answers when it worked: an HTTP status, or an authorizer's allow. */
const succeeded = (answer: unknown): boolean => {
  const { statusCode, principalId } = (answer ?? {}) as {
    statusCode?: unknown
    principalId?: unknown
  }
  return statusCode === 200 || typeof principalId === 'string'
}

/**
 * Bundle size and cold init of every Lambda function, each bundled as the
 * stack ships it, with KEY_SOURCE=kms against the fake AWS endpoint and
 * DynamoDB Local, as on Lambda (REVOCATION_CHECK on, its default). The
 * first call is a read every function answers 200 (the exchange mints a
 * JWT; management functions list, as an admin); `keys-init` and
 * `key-rotation` are imported only (their events change key material).
 */
export const runFunctionsColdSuite = async (env: BenchEnvironment): Promise<SuiteResult> => {
  const workDir = await mkdtemp(join(tmpdir(), 'tollgate-functions-cold-'))
  const aws = await startFakeAws({ dynamoDb: env.endpoint })
  const secretsManager = aws.secretsManagerClient()
  try {
    await ensureTokenTable(env.dynamoDb, TABLE_NAME)
    const pepperSecretId = `bench-pepper-${randomUUID()}`
    await initKeys({
      secretsManager,
      dynamoDb: env.dynamoDb,
      tableName: TABLE_NAME,
      alg: 'RS256',
      pepperSecretId,
      clock: systemClock,
    })
    const childEnv: Record<string, string> = {
      KEY_SOURCE: 'kms',
      KMS_KEY_IDS: aws.kms.createKey('RSA_2048').arn,
      PEPPER_SECRET_ID: pepperSecretId,
      JWT_ALG: 'RS256',
      ISSUER: 'https://tollgate.example',
      TABLE_NAME,
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL_KMS: aws.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: env.endpoint,
    }
    const deps = await buildDependencies(parseConfig(childEnv), env.dynamoDb)
    const admin = await bootstrapAdmin(deps, { name: 'bench-admin', asFirstAdmin: true })
    const { jwt } = await exchangeToken(deps, { accessToken: admin.secret })
    const bearer = { authorization: `Bearer ${jwt}` }
    const EVENTS: Readonly<Record<string, unknown>> = {
      authorizer: restTokenEvent(jwt),
      'exchange-jwt': httpApiEvent('POST /access-tokens/jwt', {
        body: { access_token: admin.secret },
      }),
      jwks: httpApiEvent('GET /.well-known/jwks.json'),
      'openid-configuration': httpApiEvent('GET /.well-known/openid-configuration'),
      openapi: httpApiEvent('GET /openapi.json'),
      whoami: httpApiEvent('GET /whoami', { headers: bearer }),
      'access-tokens': httpApiEvent('GET /access-tokens', { headers: bearer }),
      'service-accounts': httpApiEvent('GET /service-accounts', { headers: bearer }),
    }

    const harness = await coldHarness(workDir)
    const entries = new Map<string, { file: string; cold: number; lazy: number; event?: unknown }>()
    for (const name of FUNCTIONS) {
      const entry = `functions/entries/${name}.ts`
      const sizes = bundleSizes(
        await bundle({ entry, outdir: join(workDir, name), sourcemap: false }),
        entry,
      )
      const event = EVENTS[name]
      entries.set(name, {
        file: sizes.entryFile,
        cold: sizes.coldBytes,
        lazy: sizes.lazyBytes,
        ...(event === undefined ? {} : { event }),
      })
    }

    const processEnv = {
      ...childEnv,
      AWS_LAMBDA_FUNCTION_NAME: 'tollgate-bench',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
    }
    const baseline: ChildReport[] = []
    const runs = new Map<string, ChildReport[]>(FUNCTIONS.map((name) => [name, []]))
    const order = [undefined, ...FUNCTIONS]
    for (let round = -1; round < ROUNDS; round++) {
      const shift = (round + 1) % order.length
      for (let i = 0; i < order.length; i++) {
        const name = order[(i + shift) % order.length]
        const entry = name === undefined ? undefined : entries.get(name)
        const child =
          name === undefined || entry === undefined
            ? await harness.runBaseline()
            : await harness.runHandler(entry.file, entry.event, processEnv)
        if (entry?.event !== undefined && !succeeded(child.answer)) {
          throw new Error(
            `${name}: first call failed: ${JSON.stringify(child.answer).slice(0, 500)}`,
          )
        }
        if (round < 0) continue
        if (name === undefined) baseline.push(child)
        else runs.get(name)?.push(child)
      }
    }

    const baselineImport = baseline.map((run) => run.importMs)
    const rows = FUNCTIONS.map((name) => {
      const list = runs.get(name) ?? []
      const entry = entries.get(name)
      const called = entry?.event !== undefined
      const id = `functions.cold.${name}`
      const cells: Figure[] = [
        figure(`${id}.cold_bytes`, 'loaded at cold start', 'kB', [kB(entry?.cold ?? 0)]),
        figure(`${id}.lazy_bytes`, 'lazy', 'kB', [kB(entry?.lazy ?? 0)]),
        figure(
          `${id}.import`,
          'init (import)',
          'ms',
          list.map((run) => run.importMs),
        ),
        figure(
          `${id}.first`,
          'first call',
          'ms',
          called ? list.map((run) => run.firstCallMs ?? Number.NaN) : [],
        ),
        figure(
          `${id}.total_over_baseline`,
          'init + first call over an empty module',
          'ms',
          pairedDifferences(
            list.map((run) => run.importMs + (run.firstCallMs ?? 0)),
            baselineImport,
          ),
        ),
      ]
      return { label: called ? name : `${name} (import only)`, cells }
    })
    return {
      id: 'functions.cold',
      title: 'Every function, cold start (KEY_SOURCE=kms, RS256)',
      figures: await consoleBundleFigures(),
      grid: {
        rowHeader: 'function',
        columns: rows[0]?.cells.map((cell) => cell.label) ?? [],
        rows,
      },
      notes: [
        `Median (interquartile range) of ${ROUNDS} rounds after one discarded; each round starts` +
          ' one fresh Node process per function and one that imports an empty module, in rotating' +
          ' order. Bytes are the bundle as shipped (infra/bundling.ts), without source maps;' +
          ' lazy is what import() may load later (only what the key source and path need).',
        'Init imports the handler module (config parsed and checked); the first call builds the' +
          ' dependencies and makes its calls: the fake KMS and Secrets Manager endpoint' +
          ' (test/support/fake-aws.ts) and DynamoDB Local, on loopback.',
      ],
    }
  } finally {
    secretsManager.destroy()
    await aws.close()
    await rm(workDir, { recursive: true, force: true })
  }
}
