import { spawnSync } from 'node:child_process'
import { randomUUID } from 'node:crypto'
import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { setTimeout } from 'node:timers/promises'
import { loadLocalKeys } from '../../functions/adapters/local-key-file.js'
import { systemClock } from '../../functions/adapters/system-clock.js'
import { buildClaims } from '../../functions/core/claims.js'
import { parseConfig } from '../../functions/core/config.js'
import { signJwt } from '../../functions/core/jws.js'
import type { Signer } from '../../functions/core/ports.js'
import { isAllowedByPolicy, type PolicyDocument } from '../../functions/core/route-permissions.js'
import { initKeys } from '../../functions/operations/keys-init.js'
import { keyMaterialFor } from '../../functions/wiring/key-material.js'
import { bundle } from '../../infra/bundling.js'
import { AUTHORIZER_ENTRY, bundleAuthorizer, REPO_ROOT } from '../support/authorizer-bundle.js'
import { startFakeAws } from '../support/fake-aws.js'
import { authorizerBenchEnv, mintBenchJwt } from './authorizer.bench.js'
import { BENCH_SCOPES, REST_METHOD_ARN, restTokenEvent } from './authorizer-events.js'
import { bundleSizes, type ChildReport, coldHarness, kB } from './cold.js'
import type { BenchEnvironment } from './environment.js'
import { figure } from './figures.js'
import { pairedDifferences } from './stats.js'
import type { Figure, SuiteOptions, SuiteResult } from './types.js'

/** Goal for the bytes a cold start loads (issue 3): 150 kB. */
const COLD_START_GOAL_BYTES = 150_000
/** Goal for import plus first decision with local keys over an empty module (issue 12): 30 ms. */
const COLD_START_GOAL_MS = 30
/** Goal for the production shape, KEY_SOURCE=kms with REVOCATION_CHECK on (issue 18): 80 ms. */
const PRODUCTION_COLD_START_GOAL_MS = 80
/** The variants measured at `--before <ref>` too: the two with a goal. */
const BEFORE_VARIANTS = ['local_off', 'kms_on'] as const
/** Rounds of one fresh process per child, in rotating order, after one discarded round. */
const ROUNDS = 30
/**
 * Pause before each child: the previous child's DynamoDB Local queries leave
 * the JVM compiling and collecting for a while after it answers, and on two
 * cores that lands on the next child's start, which no Lambda has beside it.
 */
const SETTLE_MS = 150
const TOP_INPUTS = 6

interface Variant {
  readonly id: string
  /** The bundle's entry file: the current code's, or the `--before` commit's. */
  readonly entryFile: string
  readonly label: string
  readonly env: Readonly<Record<string, string>>
  readonly event: unknown
  readonly sub: string
}

/**
 * Bundle size and cold init of the authorizer. Builds it with esbuild as a
 * deployment ships it, measures what a cold start loads from the metafile,
 * then starts fresh Node processes on the bundle, one per variant per round
 * with an empty-module baseline in the same round, in rotating order, and
 * times the import and the first decision on a valid REST TOKEN event:
 * - local keys (keys.json), REVOCATION_CHECK off: the goal;
 * - local keys, REVOCATION_CHECK on: plus the deny-list's first full load
 *   (13 hourly partitions from DynamoDB Local) and the DynamoDB client;
 * - KEY_SOURCE=kms (GetPublicKey) and secrets-manager (the KEYSET#public
 *   item) through the fake AWS endpoint, REVOCATION_CHECK off, as on Lambda;
 * - KEY_SOURCE=kms with REVOCATION_CHECK on: a production authorizer's first call.
 *
 * With `options.before` (a git ref), the authorizer as it was at that commit
 * is bundled too and its two goal variants run in the same rounds, so the
 * earlier figures stand beside today's, taken on the same machine state.
 */
export const runAuthorizerColdSuite = async (
  env: BenchEnvironment,
  options: SuiteOptions = {},
): Promise<SuiteResult> => {
  const workDir = await mkdtemp(join(tmpdir(), 'tollgate-authorizer-cold-'))
  const aws = await startFakeAws({ dynamoDb: env.endpoint })
  const secretsManager = aws.secretsManagerClient()
  try {
    const sizes = bundleSizes(await bundleAuthorizer(workDir), AUTHORIZER_ENTRY)
    const before =
      options.before === undefined ? undefined : await bundleBefore(options.before, workDir)
    const harness = await coldHarness(workDir)

    const localEnv = (revocationCheck: boolean) => {
      const benchEnv = authorizerBenchEnv(env, 'RS256', revocationCheck)
      const config = parseConfig(benchEnv)
      return { ...benchEnv, ISSUER: config.issuer, AUDIENCE: config.audience }
    }
    const local = await mintBenchJwt(env, 'RS256')
    const localEvent = restTokenEvent(local.jwt)
    const localSigner = (await loadLocalKeys(env.dataDir, 'RS256')).signer

    // As on Lambda: not local mode, keys from the key source, AWS calls to the fake endpoint.
    const lambdaEnv = (extra: Record<string, string>, revocationCheck: boolean) => ({
      ...localEnv(revocationCheck),
      DATA_DIR: join(workDir, 'no-data-dir'),
      AWS_LAMBDA_FUNCTION_NAME: 'tollgate-authorizer',
      AWS_REGION: 'eu-west-1',
      AWS_ENDPOINT_URL_KMS: aws.endpoint,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: env.endpoint,
      ...extra,
    })
    const kmsExtra = { KEY_SOURCE: 'kms', KMS_KEY_IDS: aws.kms.createKey('RSA_2048').arn }
    const signingKeysSecretId = `bench-signing-${randomUUID()}`
    await initKeys({
      secretsManager,
      dynamoDb: env.dynamoDb,
      tableName: env.tableName,
      alg: 'RS256',
      pepperSecretId: `bench-pepper-${randomUUID()}`,
      signingKeysSecretId,
      clock: systemClock,
    })
    const smExtra = { KEY_SOURCE: 'secrets-manager', SIGNING_KEYS_SECRET_ID: signingKeysSecretId }
    /** A JWT signed through the key source, as the exchange would mint it. */
    const mintWith = async (childEnv: Record<string, string>) => {
      const config = parseConfig({
        ...childEnv,
        AWS_LAMBDA_FUNCTION_NAME: undefined,
        AWS_ENDPOINT_URL_KMS: aws.endpoint,
      })
      const signer = await keyMaterialFor(config, {
        dynamoDb: async () => env.dynamoDb,
        localKeyFile: 'read',
      }).signer()
      const claims = buildClaims({
        issuer: config.issuer,
        audience: config.audience,
        token: env.admin.token,
        roles: env.admin.token.roles,
        ownerGeneration: 1,
        scopes: BENCH_SCOPES,
        issuedAt: Date.now(),
        durationSeconds: 3600,
        jti: randomUUID(),
      })
      return { jwt: await signJwt(signer, claims), sub: claims.sub, signer }
    }
    const kms = await mintWith(lambdaEnv(kmsExtra, false))
    const sm = await mintWith(lambdaEnv(smExtra, false))
    const kmsEvent = restTokenEvent(kms.jwt)
    const smEvent = restTokenEvent(sm.jwt)

    const variants: Variant[] = [
      {
        id: 'local_off',
        entryFile: sizes.entryFile,
        label: 'local keys, REVOCATION_CHECK off',
        env: localEnv(false),
        event: localEvent,
        sub: local.sub,
      },
      {
        id: 'local_on',
        entryFile: sizes.entryFile,
        label: 'local keys, REVOCATION_CHECK on (deny-list from DynamoDB Local)',
        env: localEnv(true),
        event: localEvent,
        sub: local.sub,
      },
      {
        id: 'kms_off',
        entryFile: sizes.entryFile,
        label: 'KEY_SOURCE=kms (GetPublicKey), REVOCATION_CHECK off',
        env: lambdaEnv(kmsExtra, false),
        event: kmsEvent,
        sub: kms.sub,
      },
      {
        id: 'sm_off',
        entryFile: sizes.entryFile,
        label: 'KEY_SOURCE=secrets-manager (KEYSET#public), REVOCATION_CHECK off',
        env: lambdaEnv(smExtra, false),
        event: smEvent,
        sub: sm.sub,
      },
      {
        id: 'kms_on',
        entryFile: sizes.entryFile,
        label: 'KEY_SOURCE=kms, REVOCATION_CHECK on (the production default)',
        env: lambdaEnv(kmsExtra, true),
        event: kmsEvent,
        sub: kms.sub,
      },
    ]
    for (const variant of variants) {
      Object.assign(variant.env, { POWERTOOLS_LOG_LEVEL: 'SILENT' })
    }
    // Commits before RFC 9068 (baff277 among them) accept only `typ: JWT`: the before build
    // gets the same claims, signed by the same key, with the header it accepts.
    const legacyEvents: Readonly<Record<string, Promise<ReturnType<typeof restTokenEvent>>>> = {
      local_off: withLegacyType(localSigner, local.jwt).then(restTokenEvent),
      kms_on: withLegacyType(kms.signer, kms.jwt).then(restTokenEvent),
    }
    const beforeVariants: Variant[] =
      before === undefined
        ? []
        : await Promise.all(
            variants
              .filter((variant) => (BEFORE_VARIANTS as readonly string[]).includes(variant.id))
              .map(async (variant) => ({
                ...variant,
                id: `before.${variant.id}`,
                label: `${variant.label}, before (${before.commit})`,
                entryFile: before.entryFile,
                event: (await legacyEvents[variant.id]) ?? variant.event,
              })),
          )
    const measured = [...variants, ...beforeVariants]

    const allowed = (variant: Variant, child: ChildReport): ChildReport => {
      const answer = child.answer as { principalId?: unknown; policyDocument?: PolicyDocument }
      if (
        answer?.principalId !== variant.sub ||
        answer.policyDocument === undefined ||
        !isAllowedByPolicy(answer.policyDocument, REST_METHOD_ARN)
      ) {
        throw new Error(
          `cold-start authorizer (${variant.id}) did not allow: ${JSON.stringify(answer)}`,
        )
      }
      return child
    }
    const baseline: ChildReport[] = []
    const runs = new Map<string, ChildReport[]>(measured.map((variant) => [variant.id, []]))
    // One discarded round first: it pulls the node binary and the bundle into the page cache.
    for (let round = -1; round < ROUNDS; round++) {
      const shift = (round + 1) % (measured.length + 1)
      const order = [undefined, ...measured]
      for (let i = 0; i < order.length; i++) {
        const variant = order[(i + shift) % order.length]
        await setTimeout(SETTLE_MS)
        const child =
          variant === undefined
            ? await harness.runBaseline()
            : allowed(
                variant,
                await harness.runHandler(variant.entryFile, variant.event, variant.env),
              )
        if (round < 0) continue
        if (variant === undefined) baseline.push(child)
        else runs.get(variant.id)?.push(child)
      }
    }

    const of = (id: string) => runs.get(id) ?? []
    const importMs = (list: readonly ChildReport[]) => list.map((run) => run.importMs)
    const firstMs = (list: readonly ChildReport[]) =>
      list.map((run) => run.firstCallMs ?? Number.NaN)
    const totalMs = (list: readonly ChildReport[]) =>
      list.map((run) => run.importMs + (run.firstCallMs ?? Number.NaN))
    const baselineImport = importMs(baseline)
    const figures: Figure[] = [
      figure(
        'authorizer.cold.local_off.total_over_baseline',
        'import + first decision over an empty module, local keys, REVOCATION_CHECK off',
        'ms',
        pairedDifferences(totalMs(of('local_off')), baselineImport),
        { op: '<=', value: COLD_START_GOAL_MS },
      ),
      figure(
        'authorizer.cold.local_off.import',
        'import (Lambda init), local keys',
        'ms',
        importMs(of('local_off')),
      ),
      figure(
        'authorizer.cold.local_off.first',
        'first decision, local keys, REVOCATION_CHECK off',
        'ms',
        firstMs(of('local_off')),
      ),
      ...variants
        .slice(1)
        .map((variant) =>
          figure(
            `authorizer.cold.${variant.id}.first`,
            `first decision, ${variant.label}`,
            'ms',
            firstMs(of(variant.id)),
          ),
        ),
      figure(
        'authorizer.cold.kms_on.total_over_baseline',
        'import + first decision over an empty module, KEY_SOURCE=kms, REVOCATION_CHECK on',
        'ms',
        pairedDifferences(totalMs(of('kms_on')), baselineImport),
        { op: '<=', value: PRODUCTION_COLD_START_GOAL_MS },
      ),
      ...(before === undefined
        ? []
        : BEFORE_VARIANTS.flatMap((id) => [
            figure(
              `authorizer.cold.before.${id}.total_over_baseline`,
              `before (${before.commit}): import + first decision over an empty module, ${
                id === 'local_off'
                  ? 'local keys, REVOCATION_CHECK off'
                  : 'KEY_SOURCE=kms, REVOCATION_CHECK on'
              }`,
              'ms',
              pairedDifferences(totalMs(of(`before.${id}`)), baselineImport),
            ),
            figure(
              `authorizer.cold.${id}.change_from_before`,
              `now − before (${before.commit}), ${id === 'local_off' ? 'local keys, off' : 'kms, on'}, paired by round`,
              'ms',
              pairedDifferences(totalMs(of(id)), totalMs(of(`before.${id}`))),
            ),
          ])),
      figure(
        'authorizer.cold.local_off.wall_over_baseline',
        'whole process (spawn to exit) over the empty-module process, local keys, REVOCATION_CHECK off',
        'ms',
        pairedDifferences(
          of('local_off').map((run) => run.wallMs),
          baseline.map((run) => run.wallMs),
        ),
      ),
      figure(
        'authorizer.cold.baseline.wall',
        'empty-module process, spawn to exit',
        'ms',
        baseline.map((run) => run.wallMs),
      ),
      figure('authorizer.cold.bytes', 'bundle loaded at cold start', 'kB', [kB(sizes.coldBytes)], {
        op: '<=',
        value: COLD_START_GOAL_BYTES / 1000,
      }),
      figure('authorizer.cold.lazy_bytes', 'bundle loaded on demand (import())', 'kB', [
        kB(sizes.lazyBytes),
      ]),
    ]
    return {
      id: 'authorizer.cold',
      title: 'Authorizer, cold start (RS256)',
      figures,
      tables: [
        {
          title: `top ${TOP_INPUTS} inputs loaded at cold start`,
          header: ['input', 'bytes', 'share'],
          body: sizes.coldInputs
            .slice(0, TOP_INPUTS)
            .map(([input, bytes]) => [
              input,
              String(bytes),
              `${((bytes / sizes.coldBytes) * 100).toFixed(1)}%`,
            ]),
        },
      ],
      notes: [
        ...(before === undefined
          ? []
          : [
              `Before: ${before.commit} (${options.before}), its authorizer bundled the same way` +
                ' from `git archive`, run in the same rounds with the same events and environment.',
            ]),
        `${ROUNDS} rounds after one discarded, each starting one fresh Node ${baseline[0]?.node ?? ''}` +
          ` process per row and one that imports an empty module, in rotating order, each after a` +
          ` ${SETTLE_MS} ms pause (DynamoDB Local settles after the previous child); differences` +
          ' are taken within a round. Import is the handler module (Lambda init: config parsed' +
          ' and checked, nothing built); first decision is the first call on a valid REST TOKEN' +
          ' event, which builds the dependencies, reads the keys and, with REVOCATION_CHECK on,' +
          ' loads the deny-list.',
        `The bundle as a deployment ships it (infra/bundling.ts: minified split ESM, node24),` +
          ` without source maps. At cold start: ${sizes.coldBuiltins.join(', ')}; by package:` +
          ` ${sizes.coldByPackage
            .slice(0, TOP_INPUTS)
            .map(([pkg, bytes]) => `${pkg} ${kB(bytes)} kB`)
            .join(', ')}.`,
        'KMS and Secrets Manager are the fake endpoint of test/support/fake-aws.ts on loopback,' +
          ' DynamoDB is DynamoDB Local: a first call on AWS adds real round trips (and TLS).',
      ],
    }
  } finally {
    secretsManager.destroy()
    await aws.close()
    await rm(workDir, { recursive: true, force: true })
  }
}

/**
 * The authorizer as it was at `ref`: its functions/ from `git archive` under
 * .bench/ (inside the repository, so its imports find node_modules), bundled
 * as today's is.
 */
const bundleBefore = async (
  ref: string,
  workDir: string,
): Promise<{ readonly commit: string; readonly entryFile: string }> => {
  const git = (...args: string[]) => {
    const result = spawnSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8' })
    if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`)
    return result.stdout.trim()
  }
  const commit = git('rev-parse', '--short', `${ref}^{commit}`)
  const source = join(REPO_ROOT, '.bench', `before-${commit}`)
  await rm(source, { recursive: true, force: true })
  await mkdir(source, { recursive: true })
  const extracted = spawnSync(
    'sh',
    ['-c', 'git archive "$1" functions | tar -x -C "$2"', 'sh', commit, source],
    {
      cwd: REPO_ROOT,
      encoding: 'utf8',
    },
  )
  if (extracted.status !== 0) throw new Error(`git archive ${commit}: ${extracted.stderr}`)
  const entry = relative(REPO_ROOT, join(source, AUTHORIZER_ENTRY))
  const metafile = await bundle({ entry, outdir: join(workDir, 'before'), sourcemap: false })
  return { commit, entryFile: bundleSizes(metafile, entry).entryFile }
}

/** The JWT's claims signed again by `signer` under the header Tollgate wrote before RFC 9068. */
const withLegacyType = async (signer: Signer, jwt: string): Promise<string> => {
  const payload = jwt.split('.')[1] ?? ''
  const { signingInput, signature } = await signer.sign((kid) =>
    Buffer.from(
      `${Buffer.from(JSON.stringify({ alg: signer.alg, kid, typ: 'JWT' })).toString('base64url')}.${payload}`,
      'ascii',
    ),
  )
  return `${Buffer.from(signingInput).toString('ascii')}.${Buffer.from(signature).toString('base64url')}`
}
