import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import * as z from 'zod/mini'
import { buildOpenApiDocument } from '../../functions/api/openapi.js'
import { serviceAccountCreate } from '../../functions/api/schemas.js'
import { description, resourceName } from '../../functions/core/names.js'

/**
 * Strings of any UTF-16 code units: mostly whole code points, often the
 * hostile ones (lone surrogates, C0 and C1 controls), so both verdicts come up.
 */
const codeUnitText = (maxLength: number) =>
  fc.string({
    maxLength,
    unit: fc.oneof(
      { weight: 6, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
      { weight: 1, arbitrary: fc.integer({ min: 0xd800, max: 0xdfff }).map(toChar) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 0x9f }).map(toChar) },
      { weight: 1, arbitrary: fc.constantFrom(' ', '\n', '\t', 'a', '-') },
    ),
  })
const toChar = (code: number) => String.fromCharCode(code)

const accepts = (check: () => unknown): boolean => {
  try {
    check()
    return true
  } catch {
    return false
  }
}

const document = buildOpenApiDocument('https://tollgate.example.com') as {
  paths: Record<string, Record<string, { requestBody: { content: Record<string, unknown> } }>>
}
const createBody = document.paths['/service-accounts']?.post?.requestBody.content[
  'application/json'
] as { schema: { properties: Record<string, { pattern?: string }> } }
/** The patterns OpenAPI clients see, as a validator compiles them with the `u` flag and without. */
const published = (field: string) => {
  const pattern = createBody.schema.properties[field]?.pattern
  if (pattern === undefined) throw new Error(`${field} has no published pattern`)
  return [new RegExp(pattern), new RegExp(pattern, 'u')]
}

const UTF8 = new TextDecoder('utf-8', { fatal: true })

describe('description (fuzz)', () => {
  it('accepts only text that survives JSON and UTF-8 round trips unchanged', () => {
    fc.assert(
      fc.property(codeUnitText(60), (text) => {
        if (!accepts(() => description(text))) return
        expect(JSON.parse(JSON.stringify(text))).toBe(text)
        // Fatal decoding: a lone surrogate would have been encoded as U+FFFD and come back changed.
        expect(UTF8.decode(new TextEncoder().encode(text))).toBe(text)
      }),
      { numRuns: 2000 },
    )
  })

  it('gets the same verdict from core, the body schema and the published pattern', () => {
    const patterns = published('description')
    fc.assert(
      fc.property(codeUnitText(60), (text) => {
        const verdict = accepts(() => description(text))
        const body = { name: 'x', description: text, roles: [], scopes: [] }
        expect(z.safeParse(serviceAccountCreate, body).success).toBe(verdict)
        for (const pattern of patterns) expect(pattern.test(text)).toBe(verdict)
      }),
      { numRuns: 2000 },
    )
  })
})

describe('resourceName (fuzz)', () => {
  const nameText = fc.oneof(
    codeUnitText(70),
    fc.stringMatching(/^[ A-Za-z0-9._-]{0,66}$/),
    fc.string({ unit: fc.constantFrom(' ', 'a', '.', '\t'), maxLength: 5 }),
  )

  it('accepts no name with leading or trailing whitespace', () => {
    fc.assert(
      fc.property(nameText, (name) => {
        if (accepts(() => resourceName('name', name))) expect(name.trim()).toBe(name)
      }),
      { numRuns: 2000 },
    )
  })

  it('gets the same verdict from core, the body schema and the published pattern', () => {
    const patterns = published('name')
    fc.assert(
      fc.property(nameText, (name) => {
        const verdict = accepts(() => resourceName('name', name))
        const body = { name, roles: [], scopes: [] }
        expect(z.safeParse(serviceAccountCreate, body).success).toBe(verdict)
        for (const pattern of patterns) expect(pattern.test(name)).toBe(verdict)
      }),
      { numRuns: 2000 },
    )
  })
})
