import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const CORE_DIR = fileURLToPath(new URL('../../../functions/core/', import.meta.url))

/** An HTTP status decided in code: `status: 403`, `statusCode = 500`, a status table. */
const HTTP_STATUS =
  /\b(?:status|statusCode|httpStatus)\s*[:=]\s*[1-5]\d\d\b|STATUS_BY_CODE|\bstatus\s*[<>]=?\s*[1-5]\d\d\b/

const withoutComments = (source: string): string =>
  source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"\\])\/\/.*$/gm, '$1')

describe('functions/core speaks no HTTP', () => {
  it('recognises a status decided in code', () => {
    expect(HTTP_STATUS.test('this.status = 403')).toBe(true)
    expect(HTTP_STATUS.test('if (error.status >= 500) {')).toBe(true)
    expect(HTTP_STATUS.test("const status = 'revoked'")).toBe(false)
  })

  it.each(
    readdirSync(CORE_DIR, { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .sort(),
  )('%s: errors carry codes; statuses are decided at the edge', (file) => {
    expect(withoutComments(readFileSync(`${CORE_DIR}${file}`, 'utf8'))).not.toMatch(HTTP_STATUS)
  })
})
