import { createConsoleHandler } from '../handlers/console.js'
import type { ConsoleAssets } from '../wiring/dependencies.js'
import { lambdaProvider } from '../wiring/lambda.js'

/** The built console, put in by the bundler (`infra/bundling.ts`) from the same build `npm start` serves. */
declare const TOLLGATE_CONSOLE_ASSETS: ConsoleAssets

export const handler = createConsoleHandler(
  lambdaProvider(process.env, async (config) => ({
    config,
    consoleAssets: async () => TOLLGATE_CONSOLE_ASSETS,
  })),
)
