import type { ConsoleAssets } from '../wiring/dependencies.js'

let built: Promise<ConsoleAssets> | undefined

/**
 * The console as the dev server serves it: built from `console/` with
 * esbuild on the first request (a fraction of a second), then kept.
 */
export const builtConsole = (): Promise<ConsoleAssets> => {
  built ??= import('../../console/build.js').then((build) => build.buildConsoleAssets())
  return built
}
