import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const CORE_DIR = fileURLToPath(new URL('../../../functions/core/', import.meta.url))

/** Module specifiers core may never import: AWS, HTTP and the outer layers. */
const FORBIDDEN_IMPORTS = [
  '@aws-sdk/',
  'node:http',
  'aws-lambda',
  '@middy/',
  '@aws-lambda-powertools/',
  '../adapters',
  '../handlers',
  '../local',
]

const IMPORT_SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)['"]([^'"]+)['"]/g
const PROCESS_ENV = /\bprocess\s*(?:\.\s*env\b|\[\s*['"`]env['"`]\s*\])/

/**
 * Source without comments: a TSDoc `@example` may show a caller such as
 * `parseConfig(process.env)`, which is documentation, not a dependency.
 */
const withoutComments = (source: string): string =>
  source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"\\])\/\/.*$/gm, '$1')

const forbiddenImportsIn = (source: string): string[] =>
  [...withoutComments(source).matchAll(IMPORT_SPECIFIER)]
    .map(([, specifier = '']) => specifier)
    .filter((specifier) => FORBIDDEN_IMPORTS.some((forbidden) => specifier.includes(forbidden)))

const readsProcessEnv = (source: string): boolean => PROCESS_ENV.test(withoutComments(source))

const coreFiles = (): string[] =>
  readdirSync(CORE_DIR, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .sort()

const sourceOf = (file: string): string => readFileSync(`${CORE_DIR}${file}`, 'utf8')

describe('the architecture check', () => {
  it('flags every kind of forbidden import', () => {
    // Prepare
    const source = [
      "import { DynamoDBClient } from '@aws-sdk/client-dynamodb'",
      "import type { APIGatewayProxyEvent } from 'aws-lambda'",
      "import { createServer } from 'node:http'",
      "import { store } from '../../adapters/dynamodb-token-store.js'",
      "export { handler } from '../handlers/exchange-jwt.js'",
      "const lazy = await import('@middy/core')",
      "import { z } from 'zod'",
      "import { x } from './errors.js'",
    ].join('\n')

    // Act
    const found = forbiddenImportsIn(source)

    // Assess
    expect(found).toEqual([
      '@aws-sdk/client-dynamodb',
      'aws-lambda',
      'node:http',
      '../../adapters/dynamodb-token-store.js',
      '../handlers/exchange-jwt.js',
      '@middy/core',
    ])
  })

  it('flags process.env in code but not in comments', () => {
    // Act and assess
    expect(readsProcessEnv('const port = process.env.PORT')).toBe(true)
    expect(readsProcessEnv("const env = process['env']")).toBe(true)
    expect(readsProcessEnv('/** @example parseConfig(process.env) */\nconst a = 1')).toBe(false)
    expect(readsProcessEnv("const url = 'http://x' // process.env")).toBe(false)
  })
})

describe('functions/core', () => {
  it('is scanned recursively, use cases included', () => {
    // Act
    const files = coreFiles()

    // Assess
    expect(files).toContain('errors.ts')
    expect(files.some((file) => file.startsWith('use-cases/'))).toBe(true)
  })

  it('imports no AWS SDK, no HTTP and no adapter or handler module', () => {
    // Act
    const violations = coreFiles().flatMap((file) =>
      forbiddenImportsIn(sourceOf(file)).map((specifier) => `${file} imports ${specifier}`),
    )

    // Assess
    expect(violations).toEqual([])
  })

  it('never reads process.env (config is parsed at the edge and injected)', () => {
    // Act
    const violations = coreFiles().filter((file) => readsProcessEnv(sourceOf(file)))

    // Assess
    expect(violations).toEqual([])
  })
})
