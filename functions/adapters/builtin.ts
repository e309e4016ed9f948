import { createRequire } from 'node:module'

/**
 * A Node built-in module as CommonJS has it: `process.getBuiltinModule`
 * where Node has it (22.3 and later), else `require`. Importing some of
 * them as ES modules loads more than is used, because the module facade
 * reads every export: node:http and node:https load undici, node:fs loads
 * node:fs/promises, and node:crypto's facade alone costs about a
 * millisecond, each at a cold start (docs/benchmarks.md).
 *
 * @example
 * const fs = builtin<typeof import('node:fs')>('node:fs')
 */
export const builtin = <T>(name: 'node:crypto' | 'node:fs' | 'node:http' | 'node:https'): T =>
  (process.getBuiltinModule?.(name) ?? createRequire(import.meta.url)(name)) as T
