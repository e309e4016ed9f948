import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const CLIENT_DIR = fileURLToPath(new URL('../../functions/client/', import.meta.url))
const IMPORT_SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*)['"]([^'"]+)['"]/g

/**
 * The client ships to other projects: it shares the API's schemas and the
 * route table (and core's dependency-free credential shapes), and nothing of
 * the server (AWS SDK, handlers, adapters, config).
 */
const ALLOWED = [
  /^\.\/[a-z-]+\.js$/,
  /^\.\.\/api\/(schemas|spec)\.js$/,
  /^\.\.\/core\/(credential-kinds|errors|routes)\.js$/,
  /^zod(\/mini)?$/,
]

describe('functions/client', () => {
  it('imports only the API contract, the route table, the error codes, credential shapes and zod', () => {
    const imports = readdirSync(CLIENT_DIR)
      .filter((file) => file.endsWith('.ts'))
      .flatMap((file) =>
        [...readFileSync(`${CLIENT_DIR}${file}`, 'utf8').matchAll(IMPORT_SPECIFIER)].map(
          ([, specifier = '']) => `${file}: ${specifier}`,
        ),
      )

    expect(imports.length).toBeGreaterThan(0)
    expect(
      imports.filter((line) => !ALLOWED.some((allowed) => allowed.test(line.split(': ')[1] ?? ''))),
    ).toEqual([])
  })
})
