import { describe, expect, it } from 'vitest'
import { type ErrorCode, TollgateError } from '../../../functions/core/errors.js'
import {
  jsonResponse,
  NO_STORE,
  problemResponse,
} from '../../../functions/handlers/http-response.js'
import { STATUS_BY_CODE, TITLE_BY_CODE } from '../../../functions/handlers/http-status.js'

const CODES = Object.keys(STATUS_BY_CODE) as ErrorCode[]

describe('problemResponse', () => {
  it.each(CODES)('serializes %s as RFC 9457 problem details', (code) => {
    // Prepare
    const error = new TollgateError(code, 'Something specific went wrong.')

    // Act
    const response = problemResponse(error, 'req-1')

    // Assess
    expect(response.statusCode).toBe(STATUS_BY_CODE[code])
    expect(response.headers?.['content-type']).toBe('application/problem+json')
    expect(JSON.parse(response.body)).toEqual({
      type: expect.any(String),
      title: TITLE_BY_CODE[code],
      status: STATUS_BY_CODE[code],
      detail: 'Something specific went wrong.',
      code,
      request_id: 'req-1',
    })
  })

  it('asks for a bearer token on 401', () => {
    // Act
    const response = problemResponse(new TollgateError('invalid_token', 'x'), 'req-1')

    // Assess
    expect(response.statusCode).toBe(401)
    expect(response.headers?.['www-authenticate']).toBe('Bearer error="invalid_token"')
  })

  it('names the missing scope error on 403 insufficient_scope (RFC 6750)', () => {
    // Act
    const response = problemResponse(new TollgateError('insufficient_scope', 'x'), 'req-1')

    // Assess
    expect(response.headers?.['www-authenticate']).toBe('Bearer error="insufficient_scope"')
  })

  it.each(['invalid_request', 'forbidden', 'not_found', 'internal', 'unavailable'] as const)(
    'sends no WWW-Authenticate with %s',
    (code) => {
      // Act
      const response = problemResponse(new TollgateError(code, 'x'), 'req-1')

      // Assess
      expect(response.headers?.['www-authenticate']).toBeUndefined()
    },
  )

  it('sends the detail but never the cause', () => {
    // Prepare
    const cause = new Error('password=hunter2')
    const error = new TollgateError('internal', 'The request could not be completed.', { cause })

    // Act
    const response = problemResponse(error, 'req-1')

    // Assess
    expect(response.body).not.toContain('hunter2')
    expect(response.body).not.toContain('at ')
  })

  it('is never cached', () => {
    // Act
    const response = problemResponse(new TollgateError('invalid_token', 'x'), 'req-1')

    // Assess
    expect(response.headers?.['cache-control']).toBe('no-store')
  })
})

describe('problemResponse extension members', () => {
  it('sends them beside the standard members', () => {
    // Prepare
    const error = new TollgateError('invalid_request', 'Too long.', {
      extensions: { max_duration_seconds: 240 },
    })

    // Act
    const body = JSON.parse(problemResponse(error, 'req-1').body)

    // Assess
    expect(body).toMatchObject({ code: 'invalid_request', max_duration_seconds: 240 })
  })

  it('never lets one replace a standard member', () => {
    // Prepare
    const error = new TollgateError('invalid_request', 'Real detail.', {
      extensions: { detail: 'forged', status: 200, code: 'internal' },
    })

    // Act
    const body = JSON.parse(problemResponse(error, 'req-1').body)

    // Assess
    expect(body).toMatchObject({ detail: 'Real detail.', status: 400, code: 'invalid_request' })
  })
})

describe('jsonResponse', () => {
  it('serializes the body as JSON with extra headers', () => {
    // Act
    const response = jsonResponse(200, { jwt: 'x' }, NO_STORE)

    // Assess
    expect(response).toEqual({
      statusCode: 200,
      headers: {
        'content-type': 'application/json',
        'cache-control': 'no-store',
        pragma: 'no-cache',
      },
      body: '{"jwt":"x"}',
      isBase64Encoded: false,
    })
  })
})
