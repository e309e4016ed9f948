import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Metafile } from 'esbuild'
import { parseConfig } from '../../functions/core/config.js'
import { isAllowedByPolicy, type PolicyDocument } from '../../functions/core/route-permissions.js'
import {
  bundleAuthorizer,
  AUTHORIZER_ENTRY as ENTRY,
  REPO_ROOT,
} from '../support/authorizer-bundle.js'
import { authorizerBenchEnv, mintBenchJwt } from './authorizer.bench.js'
import { REST_METHOD_ARN, restTokenEvent } from './authorizer-events.js'
import type { BenchEnvironment } from './environment.js'
import { median } from './report.js'
import type { ExtraTable, SuiteResult } from './types.js'

/** Goal for the bytes a cold start loads (DESIGN / issue 3): 150 kB. */
const COLD_START_GOAL_BYTES = 150_000
const COLD_START_RUNS = 7
const TOP_INPUTS = 5

interface BundleSizes {
  /** Absolute path of the entry file. */
  readonly entryFile: string
  readonly coldFiles: number
  readonly coldBytes: number
  readonly lazyFiles: number
  readonly lazyBytes: number
  /** Source files of the dynamic-import targets, e.g. the DynamoDB adapters. */
  readonly lazyEntries: readonly string[]
  readonly topColdInputs: ReadonlyArray<readonly [input: string, bytes: number]>
  readonly coldByPackage: ReadonlyArray<readonly [pkg: string, bytes: number]>
}

/** `node_modules/@scope/name/…` → `@scope/name`; own code → `(tollgate)`. */
const packageOf = (input: string): string => {
  const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)
  return match?.[1] ?? '(tollgate)'
}

const topEntries = (bytes: ReadonlyMap<string, number>, count: number) =>
  [...bytes].sort((a, b) => b[1] - a[1]).slice(0, count)

/**
 * Cold-start set: the entry output plus every chunk reachable through static
 * `import-statement` edges (ESM loads all of those before the handler module
 * runs). Everything else in the output was only reachable through `import()`.
 */
const bundleSizes = (metafile: Metafile): BundleSizes => {
  const outputs = metafile.outputs
  const entryKey = Object.keys(outputs).find((key) => outputs[key]?.entryPoint === ENTRY)
  if (entryKey === undefined) throw new Error(`no output for ${ENTRY} in the metafile`)
  const cold = new Set<string>([entryKey])
  const lazyEntries = new Set<string>()
  const queue = [entryKey]
  for (let key = queue.pop(); key !== undefined; key = queue.pop()) {
    for (const edge of outputs[key]?.imports ?? []) {
      if (edge.external === true) continue
      if (edge.kind === 'import-statement' && !cold.has(edge.path)) {
        cold.add(edge.path)
        queue.push(edge.path)
      } else if (edge.kind === 'dynamic-import') {
        lazyEntries.add(outputs[edge.path]?.entryPoint ?? edge.path)
      }
    }
  }
  let coldBytes = 0
  let lazyBytes = 0
  let lazyFiles = 0
  const coldInputs = new Map<string, number>()
  const coldPackages = new Map<string, number>()
  for (const [key, output] of Object.entries(outputs)) {
    if (!cold.has(key)) {
      lazyBytes += output.bytes
      lazyFiles++
      continue
    }
    coldBytes += output.bytes
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      coldInputs.set(input, (coldInputs.get(input) ?? 0) + bytesInOutput)
      const pkg = packageOf(input)
      coldPackages.set(pkg, (coldPackages.get(pkg) ?? 0) + bytesInOutput)
    }
  }
  return {
    entryFile: resolve(REPO_ROOT, entryKey),
    coldFiles: cold.size,
    coldBytes,
    lazyFiles,
    lazyBytes,
    lazyEntries: [...lazyEntries].sort(),
    topColdInputs: topEntries(coldInputs, TOP_INPUTS),
    coldByPackage: topEntries(coldPackages, TOP_INPUTS),
  }
}

/**
 * The child's whole program. `performance.now()` counts from the process's
 * time origin, so its first reading is Node's own start-up up to user code.
 */
const AUTHORIZER_CHILD = `const started = performance.now()
const { handler } = await import(process.argv[2])
const imported = performance.now()
const answer = await handler(JSON.parse(process.argv[3]))
const decided = performance.now()
process.stdout.write(JSON.stringify({ node: process.version, bootMs: started,
  importMs: imported - started, firstCallMs: decided - imported, answer }))
`

/** Same start-up, importing only what any JWT verifier needs from Node. */
const BASELINE_CHILD = `const started = performance.now()
await import('node:crypto')
const imported = performance.now()
process.stdout.write(JSON.stringify({ node: process.version, bootMs: started,
  importMs: imported - started }))
`

interface ChildReport {
  readonly node: string
  readonly bootMs: number
  readonly importMs: number
  readonly firstCallMs?: number
  readonly answer?: { principalId?: unknown; policyDocument?: PolicyDocument }
}

interface ChildRun extends ChildReport {
  /** From spawn() until the process exited, as the parent saw it. */
  readonly wallMs: number
}

const runChild = (
  args: readonly string[],
  env: Readonly<Record<string, string>>,
  cwd: string,
): Promise<ChildRun> =>
  new Promise((resolvePromise, reject) => {
    const started = performance.now()
    let exitedAt = Number.NaN
    const child = spawn(process.execPath, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk
    })
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk
    })
    child.once('error', reject)
    child.once('exit', () => {
      exitedAt = performance.now()
    })
    child.once('close', (code) => {
      if (code !== 0) {
        reject(new Error(`cold-start child exited with ${code}: ${stderr.slice(0, 2000)}`))
        return
      }
      try {
        resolvePromise({ ...(JSON.parse(stdout) as ChildReport), wallMs: exitedAt - started })
      } catch (error) {
        reject(
          new Error(`cold-start child printed no report: ${stdout.slice(0, 500)}`, {
            cause: error,
          }),
        )
      }
    })
  })

const ms = (values: readonly number[]): string =>
  values.length === 0
    ? '-'
    : `${median(values).toFixed(1)} (${Math.min(...values).toFixed(1)}-${Math.max(...values).toFixed(1)})`

const kB = (bytes: number): string => `${(bytes / 1000).toFixed(1)} kB`

/**
 * Bundle size and cold init of the authorizer. Builds it with esbuild as a
 * deployment would, measures what a cold start loads from the metafile, then
 * starts fresh Node 24 processes on the bundle (interleaved with a baseline
 * process that only imports node:crypto, so Node's own start-up is shown
 * apart) and times the import and the first decision on a valid REST TOKEN event.
 */
export const runAuthorizerColdSuite = async (env: BenchEnvironment): Promise<SuiteResult> => {
  const outdir = await mkdtemp(join(tmpdir(), 'tollgate-authorizer-bundle-'))
  try {
    const sizes = bundleSizes(await bundleAuthorizer(outdir))
    const authorizerScript = join(outdir, 'bench-cold-authorizer.mjs')
    const baselineScript = join(outdir, 'bench-cold-baseline.mjs')
    await writeFile(authorizerScript, AUTHORIZER_CHILD)
    await writeFile(baselineScript, BASELINE_CHILD)

    const childEnvOf = (revocationCheck: boolean) => {
      const benchEnv = authorizerBenchEnv(env, 'RS256', revocationCheck)
      const config = parseConfig(benchEnv)
      return {
        ...benchEnv,
        ISSUER: config.issuer,
        AUDIENCE: config.audience,
        POWERTOOLS_LOG_LEVEL: 'SILENT',
      }
    }
    const childEnv = childEnvOf(false)
    const revocationEnv = childEnvOf(true)
    const { jwt, sub } = await mintBenchJwt(env, 'RS256')
    const authorizerArgs = [
      authorizerScript,
      pathToFileURL(sizes.entryFile).href,
      JSON.stringify(restTokenEvent(jwt)),
    ]

    const runs: { authorizer: ChildRun[]; baseline: ChildRun[]; revocation: ChildRun[] } = {
      authorizer: [],
      baseline: [],
      revocation: [],
    }
    const allowed = (child: ChildRun) => {
      const policy = child.answer?.policyDocument
      if (
        child.answer?.principalId !== sub ||
        policy === undefined ||
        !isAllowedByPolicy(policy, REST_METHOD_ARN)
      ) {
        throw new Error(`cold-start authorizer did not allow: ${JSON.stringify(child.answer)}`)
      }
      return child
    }
    // One discarded round first: it pulls the node binary and the bundle into the page cache.
    for (let run = -1; run < COLD_START_RUNS; run++) {
      const baseline = await runChild([baselineScript], childEnv, outdir)
      const authorizer = allowed(await runChild(authorizerArgs, childEnv, outdir))
      // The first decision then also loads the deny-list: 13 hourly partitions from DynamoDB Local.
      const revocation = allowed(await runChild(authorizerArgs, revocationEnv, outdir))
      if (run < 0) continue
      runs.baseline.push(baseline)
      runs.authorizer.push(authorizer)
      runs.revocation.push(revocation)
    }
    const row = (name: string, list: readonly ChildRun[]) => [
      name,
      ms(list.map((r) => r.bootMs)),
      ms(list.map((r) => r.importMs)),
      ms(list.flatMap((r) => (r.firstCallMs === undefined ? [] : [r.firstCallMs]))),
      ms(list.map((r) => r.wallMs)),
    ]
    const extraWall = runs.authorizer.map((r, i) => r.wallMs - (runs.baseline[i]?.wallMs ?? 0))
    const coldVerdict = sizes.coldBytes <= COLD_START_GOAL_BYTES ? 'met' : 'MISSED'
    const tables: ExtraTable[] = [
      {
        title: 'bundle (esbuild: minified ESM, node24, splitting)',
        header: ['part', 'files', 'bytes', 'size'],
        body: [
          [
            'cold start (entry + static imports)',
            String(sizes.coldFiles),
            String(sizes.coldBytes),
            kB(sizes.coldBytes),
          ],
          [
            'lazy (dynamic imports only)',
            String(sizes.lazyFiles),
            String(sizes.lazyBytes),
            kB(sizes.lazyBytes),
          ],
        ],
      },
      {
        title: `top ${TOP_INPUTS} inputs loaded at cold start`,
        header: ['input', 'bytes', 'share'],
        body: sizes.topColdInputs.map(([input, bytes]) => [
          input,
          String(bytes),
          `${((bytes / sizes.coldBytes) * 100).toFixed(1)}%`,
        ]),
      },
      {
        title: `cold init, ${COLD_START_RUNS} fresh processes each: median (min-max) ms`,
        header: ['child', 'node boot', 'import', 'first decision', 'wall (spawn to exit)'],
        body: [
          row('baseline: import node:crypto', runs.baseline),
          row('authorizer bundle + REST TOKEN call, REVOCATION_CHECK off', runs.authorizer),
          row('same, REVOCATION_CHECK on (deny-list from DynamoDB Local)', runs.revocation),
        ],
      },
    ]
    return {
      suite: 'authorizer bundle and cold init',
      rows: [],
      ratios: [],
      tables,
      notes: [
        `cold-start bytes ${kB(sizes.coldBytes)} (goal <= ${kB(COLD_START_GOAL_BYTES)}, ${coldVerdict});` +
          ` lazy entries: ${sizes.lazyEntries.join(', ')}`,
        `cold-start bytes by package: ${sizes.coldByPackage
          .map(([pkg, bytes]) => `${pkg} ${kB(bytes)}`)
          .join(', ')}`,
        `authorizer process over baseline: +${median(extraWall).toFixed(1)} ms wall (median of` +
          ` paired differences); children run ${runs.authorizer[0]?.node ?? '?'}` +
          ` (${process.execPath}) with only DATA_DIR, TABLE_NAME, ISSUER, AUDIENCE, JWT_ALG,` +
          ` ROUTE_SCOPES and POWERTOOLS_LOG_LEVEL=SILENT; first decision includes reading keys.json`,
      ],
    }
  } finally {
    await rm(outdir, { recursive: true, force: true })
  }
}
