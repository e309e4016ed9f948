import { type Config, parseConfig } from '../core/config.js'

/** The config, or undefined after saying which variable is wrong (never with a stack trace). */
export const readConfig = (): Config | undefined => {
  try {
    return parseConfig(process.env)
  } catch (error) {
    process.stderr.write(`tollgate: ${(error as Error).message}\n`)
    return undefined
  }
}
