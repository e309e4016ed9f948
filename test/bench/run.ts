import { spawnSync } from 'node:child_process'
import { readFile, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { embedInReadme, machineInfo, printMachine, printSuite, renderMarkdown } from './report.js'
import type { BenchResults, SuiteOptions, SuiteResult } from './types.js'

// Before any handler module loads: the Powertools logger reads its level when constructed.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT'

/**
 * The commit whose authorizer the cold-start figures stand beside: main
 * before the cold-start work (docs/benchmarks.md), where the goals were set.
 */
const EARLIER_AUTHORIZER = 'baff277'

/** EARLIER_AUTHORIZER where this clone has it, else 'none'. */
const earlierAuthorizer = (): string =>
  spawnSync('git', ['cat-file', '-e', `${EARLIER_AUTHORIZER}^{commit}`]).status === 0
    ? EARLIER_AUTHORIZER
    : 'none'

const RESULTS_JSON = new URL('./bench-results.json', import.meta.url)
const RESULTS_MD = new URL('./bench-results.md', import.meta.url)
const BENCHMARKS_PAGE = new URL('../../docs/benchmarks.md', import.meta.url)

type Suite = (
  env: import('./environment.js').BenchEnvironment,
  options: SuiteOptions,
) => Promise<SuiteResult>

/** Every suite, in run order; a new one is one file exporting `run...Suite(env)` and one line here. */
const SUITES: ReadonlyArray<readonly [id: string, run: Suite]> = [
  ['exchange', async (env) => (await import('./exchange.bench.js')).runExchangeSuite(env)],
  [
    'authorizer.RS256',
    async (env) => (await import('./authorizer.bench.js')).runAuthorizerSuite(env, 'RS256'),
  ],
  [
    'authorizer.ES256',
    async (env) => (await import('./authorizer.bench.js')).runAuthorizerSuite(env, 'ES256'),
  ],
  [
    'authorizer.cold',
    async (env, options) =>
      (await import('./authorizer-cold.bench.js')).runAuthorizerColdSuite(env, options),
  ],
  [
    'functions.cold',
    async (env) => (await import('./functions-cold.bench.js')).runFunctionsColdSuite(env),
  ],
]

/**
 * The results file, formatted as the repository formats JSON (`biome
 * format`), so that `npm run lint` passes on what the bench wrote.
 */
const writeResultsJson = async (results: BenchResults): Promise<void> => {
  const path = fileURLToPath(RESULTS_JSON)
  await writeFile(path, `${JSON.stringify(results, null, 2)}\n`)
  const biome = spawnSync('npx', ['biome', 'format', '--write', path], { encoding: 'utf8' })
  if (biome.status !== 0) throw new Error(`biome format failed: ${biome.stderr}`)
}

/** Writes the Markdown and the block in docs/benchmarks.md from the results. */
const writeMarkdown = async (results: BenchResults): Promise<void> => {
  const markdown = renderMarkdown(results)
  await writeFile(RESULTS_MD, `${markdown}\n`)
  await writeFile(BENCHMARKS_PAGE, embedInReadme(await readFile(BENCHMARKS_PAGE, 'utf8'), markdown))
}

/**
 * `npm run bench`: one DynamoDB Local and one set of real dependencies shared
 * by every suite; writes the results (JSON, Markdown, docs/benchmarks.md). It
 * reports; it fails (non-zero) only when a task errors.
 *
 * - `npm run bench -- --only authorizer` runs the suites whose id starts so,
 *   prints them and writes nothing (the files always hold one whole run).
 * - `npm run bench -- --render` rewrites the Markdown and the page's block from
 *   bench-results.json without measuring anything (or touching the JSON).
 * - The authorizer's cold start is also measured as it was before the
 *   cold-start work (`EARLIER_AUTHORIZER`), in the same rounds, and both are
 *   reported; `--before <git ref>` compares with another commit, `--before
 *   none` with nothing (a clone without that history compares with nothing).
 */
const main = async (): Promise<void> => {
  const args = process.argv.slice(2)
  if (args.includes('--render')) {
    await writeMarkdown(JSON.parse(await readFile(RESULTS_JSON, 'utf8')) as BenchResults)
    console.log('wrote test/bench/bench-results.md and docs/benchmarks.md')
    return
  }
  const onlyAt = args.indexOf('--only')
  const only = onlyAt === -1 ? undefined : args[onlyAt + 1]
  const beforeAt = args.indexOf('--before')
  const before = beforeAt === -1 ? earlierAuthorizer() : args[beforeAt + 1]
  const options: SuiteOptions = { before: before === 'none' ? undefined : before }
  const selected = SUITES.filter(([id]) => only === undefined || id.startsWith(only))
  if (selected.length === 0) throw new Error(`no suite id starts with "${only}"`)

  const started = performance.now()
  const generatedAt = new Date().toISOString()
  const machine = machineInfo()
  printMachine(machine)
  const { startBenchEnvironment } = await import('./environment.js')
  const running = await startBenchEnvironment()
  const stopOnSignal = (signal: NodeJS.Signals) => {
    void running.stop().finally(() => process.kill(process.pid, signal))
  }
  process.once('SIGINT', stopOnSignal)
  process.once('SIGTERM', stopOnSignal)
  const suites: SuiteResult[] = []
  try {
    for (const [, run] of selected) {
      const result = await run(running.environment, options)
      printSuite(result)
      suites.push(result)
    }
  } finally {
    await running.stop()
    process.off('SIGINT', stopOnSignal)
    process.off('SIGTERM', stopOnSignal)
  }
  const durationSeconds = Math.round((performance.now() - started) / 1000)
  console.log(`\ntotal ${durationSeconds} s`)
  if (only === undefined) {
    const results: BenchResults = { generatedAt, machine, durationSeconds, suites }
    await writeResultsJson(results)
    await writeMarkdown(results)
    console.log(
      '\nwrote test/bench/bench-results.json, test/bench/bench-results.md and docs/benchmarks.md',
    )
  }
}

main().catch((error: unknown) => {
  console.error('bench failed:', error)
  process.exitCode = 1
})
