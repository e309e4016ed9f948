import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { TollgateError } from '../../functions/core/errors.js'
import { MAX_BODY_BYTES, parseJsonBody } from '../../functions/handlers/json-body.js'

const schema = z.strictObject({
  access_token: z.string().max(300),
  duration_seconds: z.number().optional(),
  scope: z.string().max(4096).optional(),
})

const contentTypes = fc.oneof(
  fc.constantFrom(
    undefined,
    '',
    'application/json',
    'application/json; charset=utf-8',
    'APPLICATION/JSON',
    'application/vnd.api+json',
    'text/plain',
    'application/x-www-form-urlencoded',
  ),
  fc.string(),
)

const bodies = fc.oneof(
  fc.constant(undefined),
  fc.uint8Array({ maxLength: 256 }).map((bytes) => Buffer.from(bytes)),
  fc.jsonValue().map((value) => Buffer.from(JSON.stringify(value) ?? '', 'utf8')),
  fc
    .record(
      {
        access_token: fc.oneof(fc.string(), fc.jsonValue()),
        duration_seconds: fc.oneof(fc.double(), fc.integer(), fc.jsonValue()),
        scope: fc.oneof(fc.string(), fc.jsonValue()),
      },
      { requiredKeys: [] },
    )
    .map((value) => Buffer.from(JSON.stringify(value), 'utf8')),
  fc.string({ unit: 'binary' }).map((text) => Buffer.from(text, 'utf8')),
  fc.nat({ max: 64 }).map((extra) => Buffer.alloc(MAX_BODY_BYTES + 1 + extra, ' ')),
)

/** Objects that may hide prototype keys at any depth. */
const dangerousJson = fc
  .letrec((tie) => ({
    value: fc.oneof(
      { depthSize: 'small' },
      fc.jsonValue({ maxDepth: 1 }),
      tie('object'),
      fc.array(tie('value'), { maxLength: 3 }),
    ),
    object: fc.dictionary(
      fc.constantFrom('__proto__', 'constructor', 'prototype', 'access_token', 'a'),
      tie('value'),
      { maxKeys: 4 },
    ),
  }))
  .object.map((value) => JSON.stringify(value))

const expectReturnOrClientError = (act: () => unknown): void => {
  try {
    act()
  } catch (error) {
    expect(error).toBeInstanceOf(TollgateError)
    expect(['invalid_request', 'payload_too_large']).toContain((error as TollgateError).code)
  }
}

describe('parseJsonBody (fuzz)', () => {
  it('returns a value or throws a 400/413 TollgateError for any body and content type', () => {
    fc.assert(
      fc.property(bodies, contentTypes, (body, contentType) => {
        expectReturnOrClientError(() => parseJsonBody(body, contentType, schema))
      }),
      { numRuns: 2000 },
    )
  })

  it('never lets a prototype key through, however deep or escaped', () => {
    fc.assert(
      fc.property(dangerousJson, fc.boolean(), (text, escaped) => {
        const raw = escaped ? text.replaceAll('"__proto__"', '"\\u005f_proto__"') : text
        const hasForbiddenKey = /"(?:__proto__|constructor|prototype)":/.test(text)
        try {
          parseJsonBody(Buffer.from(raw), 'application/json', z.unknown())
          expect(hasForbiddenKey).toBe(false)
        } catch (error) {
          expect((error as TollgateError).code).toBe('invalid_request')
          expect(hasForbiddenKey).toBe(true)
        }
        expect(({} as Record<string, unknown>).access_token).toBeUndefined()
      }),
      { numRuns: 1000 },
    )
  })

  it('reads valid JSON of any depth that fits the size limit: never "not valid JSON", never a crash', () => {
    const deep = fc.record({
      depth: fc.integer({ min: 1, max: 8000 }),
      open: fc.constantFrom('[', '{"a":'),
      leaf: fc.constantFrom('1', '"x"', 'null', '{"__proto__":1}', '[]'),
      wrapped: fc.boolean(),
    })
    fc.assert(
      fc.property(deep, ({ depth, open, leaf, wrapped }) => {
        const close = open === '[' ? ']' : '}'
        const value = `${open.repeat(depth)}${leaf}${close.repeat(depth)}`
        const text = wrapped ? `{"access_token":${value}}` : value
        if (text.length > MAX_BODY_BYTES) return
        try {
          parseJsonBody(Buffer.from(text), 'application/json', schema)
        } catch (error) {
          expect(error).toBeInstanceOf(TollgateError)
          expect((error as TollgateError).code).toBe('invalid_request')
          expect((error as TollgateError).message).not.toBe('The body is not valid JSON.')
        }
      }),
      { numRuns: 300 },
    )
  })
})
