import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { exchangeRequest } from '../../../functions/api/schemas.js'
import { generateAccessToken } from '../../../functions/core/access-token.js'
import { MAX_BODY_BYTES, parseJsonBody } from '../../../functions/handlers/json-body.js'
import { errorOf } from '../../support/errors.js'
import { anyTokenId } from '../../support/fakes.js'

const JSON_TYPE = 'application/json'

const schema = z.strictObject({
  access_token: z.string(),
  duration_seconds: z.number().int().optional(),
  options: z.record(z.string(), z.unknown()).optional(),
  items: z.array(z.unknown()).optional(),
})

const body = (text: string): Buffer => Buffer.from(text, 'utf8')

describe('parseJsonBody', () => {
  it('returns the parsed body when it fits the schema', () => {
    // Act
    const parsed = parseJsonBody(
      body('{"access_token":"tok","duration_seconds":300}'),
      JSON_TYPE,
      schema,
    )

    // Assess
    expect(parsed).toEqual({ access_token: 'tok', duration_seconds: 300 })
  })

  it.each([
    'application/json; charset=utf-8',
    'Application/JSON',
    ' application/json ;charset=UTF-8',
    'application/problem+json',
  ])('accepts the JSON media type %j', (contentType) => {
    // Act and assess
    expect(parseJsonBody(body('{"access_token":"tok"}'), contentType, schema)).toEqual({
      access_token: 'tok',
    })
  })

  describe('size limit', () => {
    it('accepts a body of exactly the limit', () => {
      // Prepare
      const prefix = '{"access_token":"'
      const text = `${prefix}${'a'.repeat(MAX_BODY_BYTES - prefix.length - 2)}"}`

      // Act
      const parsed = parseJsonBody(body(text), JSON_TYPE, schema)

      // Assess
      expect(Buffer.byteLength(text)).toBe(MAX_BODY_BYTES)
      expect(parsed.access_token).toHaveLength(MAX_BODY_BYTES - prefix.length - 2)
    })

    it('refuses a larger body with payload_too_large before looking at it', () => {
      // Prepare
      const oversized = Buffer.alloc(MAX_BODY_BYTES + 1, '{')

      // Act
      const error = errorOf(() => parseJsonBody(oversized, 'text/plain', schema))

      // Assess
      expect(error.code).toBe('payload_too_large')
    })

    it('counts bytes, not characters', () => {
      // Prepare
      const text = `{"access_token":"${'é'.repeat(MAX_BODY_BYTES / 2)}"}`

      // Act
      const error = errorOf(() => parseJsonBody(body(text), JSON_TYPE, schema))

      // Assess
      expect(text.length).toBeLessThan(MAX_BODY_BYTES)
      expect(error.code).toBe('payload_too_large')
    })
  })

  describe('presence and media type', () => {
    it.each([
      ['missing', undefined],
      ['empty', Buffer.alloc(0)],
    ])('refuses a %s body with invalid_request', (_name, input) => {
      // Act
      const error = errorOf(() => parseJsonBody(input, JSON_TYPE, schema))

      // Assess
      expect(error.code).toBe('invalid_request')
    })

    it.each([
      ['no', undefined],
      ['an empty', ''],
      ['a text/plain', 'text/plain'],
      ['a form', 'application/x-www-form-urlencoded'],
      ['a jsonp', 'application/jsonp'],
      ['a multipart', 'multipart/form-data; boundary=x'],
      ['a parameter-only', '; application/json'],
    ])('refuses %s content type with invalid_request', (_name, contentType) => {
      // Act
      const error = errorOf(() =>
        parseJsonBody(body('{"access_token":"tok"}'), contentType, schema),
      )

      // Assess
      expect(error.code).toBe('invalid_request')
    })
  })

  describe('JSON syntax', () => {
    it.each([
      '{',
      'nul',
      "{'access_token':'tok'}",
      '{"access_token":"tok",}',
      '\uFEFF{"access_token":"tok"}',
      '{"access_token":"tok"} {}',
    ])('refuses %j with invalid_request', (text) => {
      // Act
      const error = errorOf(() => parseJsonBody(body(text), JSON_TYPE, schema))

      // Assess
      expect(error.code).toBe('invalid_request')
    })

    it('never echoes the body in the error', () => {
      // Prepare
      const secret = generateAccessToken('service', anyTokenId()).value

      // Act
      const error = errorOf(() =>
        parseJsonBody(body(`{"access_token":"${secret}"`), JSON_TYPE, schema),
      )

      // Assess
      expect(error.message).not.toContain(secret)
    })
  })

  describe('prototype keys', () => {
    it.each([
      ['__proto__ at the top', '{"access_token":"tok","__proto__":{"admin":true}}'],
      ['constructor at the top', '{"access_token":"tok","constructor":{"prototype":{}}}'],
      ['prototype at the top', '{"access_token":"tok","prototype":1}'],
      ['__proto__ nested', '{"access_token":"tok","options":{"a":{"__proto__":{"x":1}}}}'],
      ['constructor nested', '{"access_token":"tok","options":{"constructor":1}}'],
      ['__proto__ inside an array', '{"access_token":"tok","items":[1,{"__proto__":null}]}'],
      ['an escaped __proto__', '{"access_token":"tok","\\u005f_proto__":{"admin":true}}'],
      ['a fully escaped constructor', '{"access_token":"tok","\\u0063onstructo\\u0072":1}'],
    ])('refuses %s with invalid_request', (_name, text) => {
      // Act
      const error = errorOf(() => parseJsonBody(body(text), JSON_TYPE, schema))

      // Assess
      expect(error.code).toBe('invalid_request')
      expect(({} as Record<string, unknown>).admin).toBeUndefined()
    })

    it('refuses a prototype key even where the schema would allow any key', () => {
      // Act
      const error = errorOf(() =>
        parseJsonBody(body('{"__proto__":{"admin":true}}'), JSON_TYPE, z.unknown()),
      )

      // Assess
      expect(error.code).toBe('invalid_request')
    })

    it('accepts the same words as values', () => {
      // Act
      const parsed = parseJsonBody(
        body('{"access_token":"__proto__","items":["constructor","prototype"]}'),
        JSON_TYPE,
        schema,
      )

      // Assess
      expect(parsed).toEqual({ access_token: '__proto__', items: ['constructor', 'prototype'] })
    })
  })

  describe('schema', () => {
    it('refuses an unknown field with invalid_request naming it', () => {
      // Act
      const error = errorOf(() =>
        parseJsonBody(body('{"access_token":"tok","expires_in":5}'), JSON_TYPE, schema),
      )

      // Assess
      expect(error.code).toBe('invalid_request')
      expect(error.message).toContain('expires_in')
    })

    it('does not echo an unknown field name that could hold a secret', () => {
      // Prepare
      const secret = generateAccessToken('service', anyTokenId()).value

      // Act
      const error = errorOf(() =>
        parseJsonBody(body(`{"access_token":"tok","${secret}":1}`), JSON_TYPE, schema),
      )

      // Assess
      expect(error.code).toBe('invalid_request')
      expect(error.message).not.toContain(secret)
    })

    it.each([
      ['a number token', '{"access_token":42}', 'access_token'],
      ['a null token', '{"access_token":null}', 'access_token'],
      ['a missing token', '{}', 'access_token'],
      ['a string duration', '{"access_token":"tok","duration_seconds":"300"}', 'duration_seconds'],
      [
        'a fractional duration',
        '{"access_token":"tok","duration_seconds":1.5}',
        'duration_seconds',
      ],
    ])('refuses %s with invalid_request naming the field', (_name, text, field) => {
      // Act
      const error = errorOf(() => parseJsonBody(body(text), JSON_TYPE, schema))

      // Assess
      expect(error.code).toBe('invalid_request')
      expect(error.message).toContain(field)
    })

    it('does not echo a value of the wrong type', () => {
      // Prepare
      const secret = generateAccessToken('service', anyTokenId()).value

      // Act
      const error = errorOf(() =>
        parseJsonBody(
          body(`{"access_token":"tok","duration_seconds":"${secret}"}`),
          JSON_TYPE,
          schema,
        ),
      )

      // Assess
      expect(error.message).not.toContain(secret)
    })

    it.each(['[]', '"tok"', 'null', '42', 'true'])(
      'refuses a top-level %s with invalid_request',
      (text) => {
        // Act
        const error = errorOf(() => parseJsonBody(body(text), JSON_TYPE, schema))

        // Assess
        expect(error.code).toBe('invalid_request')
      },
    )
  })
})

describe('the exchange body', () => {
  // A JWT as Tollgate mints them: far longer than any access token.
  const jwt = `eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIiwidHlwIjoiSldUIn0.${'eyJzdWIiOiJzYV8xIn0'.repeat(30)}.${'A'.repeat(342)}`

  it('names a JWT sent as access_token and says what to send instead, without quoting it', () => {
    // Act
    const error = errorOf(() =>
      parseJsonBody(body(JSON.stringify({ access_token: jwt })), JSON_TYPE, exchangeRequest),
    )

    // Assess
    expect(error.code).toBe('invalid_request')
    expect(error.message).toMatch(/^access_token: holds a JWT, not an access token\. Exchange /)
    expect(error.message).toContain('"Authorization: Bearer <jwt>"')
    expect(error.message).not.toContain('eyJ')
  })

  it('still says "too big" for a long access_token that is no JWT', () => {
    // Act
    const error = errorOf(() =>
      parseJsonBody(
        body(JSON.stringify({ access_token: 'x'.repeat(400) })),
        JSON_TYPE,
        exchangeRequest,
      ),
    )

    // Assess
    expect(error.message).toMatch(/^access_token: Too big/)
  })
})
