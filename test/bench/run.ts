import { printMachineInfo, printSuite } from './report.js'
import type { SuiteResult } from './types.js'

// Before any handler module loads: the Powertools logger reads its level when constructed.
process.env.POWERTOOLS_LOG_LEVEL = 'SILENT'

/**
 * `npm run bench`: one DynamoDB Local and one set of real dependencies shared
 * by every suite. It reports; it fails (non-zero) only when a task errors.
 * A new suite is one file exporting `run...Suite(env)` and one line below.
 */
const main = async (): Promise<void> => {
  const started = performance.now()
  printMachineInfo()
  const { startBenchEnvironment } = await import('./environment.js')
  const running = await startBenchEnvironment()
  const stopOnSignal = (signal: NodeJS.Signals) => {
    void running.stop().finally(() => process.kill(process.pid, signal))
  }
  process.once('SIGINT', stopOnSignal)
  process.once('SIGTERM', stopOnSignal)
  try {
    const env = running.environment
    const suites: Array<() => Promise<SuiteResult>> = [
      async () => (await import('./exchange.bench.js')).runExchangeSuite(env),
      async () => (await import('./authorizer.bench.js')).runAuthorizerSuite(env, 'RS256'),
      async () => (await import('./authorizer.bench.js')).runAuthorizerSuite(env, 'ES256'),
      async () => (await import('./authorizer-cold.bench.js')).runAuthorizerColdSuite(env),
    ]
    for (const suite of suites) printSuite(await suite())
  } finally {
    await running.stop()
    process.off('SIGINT', stopOnSignal)
    process.off('SIGTERM', stopOnSignal)
  }
  console.log(`\ntotal ${((performance.now() - started) / 1000).toFixed(1)} s`)
}

main().catch((error: unknown) => {
  console.error('bench failed:', error)
  process.exitCode = 1
})
