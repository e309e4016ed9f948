import { describe, expect, it } from 'vitest'
import {
  type ErrorCode,
  STATUS_BY_CODE,
  TITLE_BY_CODE,
  TollgateError,
  toTollgateError,
} from '../../../functions/core/errors.js'

/** DESIGN.md, "Errors". */
const DESIGN_STATUS: Record<ErrorCode, number> = {
  invalid_request: 400,
  invalid_token: 401,
  insufficient_scope: 403,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  precondition_failed: 412,
  precondition_required: 428,
  payload_too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
}

describe('STATUS_BY_CODE', () => {
  it('matches the design table exactly', () => {
    // Act and assess
    expect(STATUS_BY_CODE).toEqual(DESIGN_STATUS)
  })

  it('gives every code a title', () => {
    // Act and assess
    expect(Object.keys(TITLE_BY_CODE).sort()).toEqual(Object.keys(DESIGN_STATUS).sort())
    for (const title of Object.values(TITLE_BY_CODE)) expect(title).not.toBe('')
  })
})

describe('TollgateError', () => {
  it.each(Object.entries(DESIGN_STATUS) as Array<[ErrorCode, number]>)(
    'takes the status of %s from the code',
    (code, status) => {
      // Act
      const error = new TollgateError(code, 'detail')

      // Assess
      expect(error.code).toBe(code)
      expect(error.status).toBe(status)
      expect(error.name).toBe('TollgateError')
      expect(error).toBeInstanceOf(Error)
    },
  )

  it('keeps a cause', () => {
    // Prepare
    const cause = new Error('socket hang up')

    // Act
    const error = new TollgateError('unavailable', 'The token store is unavailable.', { cause })

    // Assess
    expect(error.cause).toBe(cause)
  })
})

describe('toTollgateError', () => {
  it('passes a TollgateError through unchanged', () => {
    // Prepare
    const error = new TollgateError('not_found', 'No such token.')

    // Act and assess
    expect(toTollgateError(error)).toBe(error)
  })

  it.each([
    ['an Error', new Error('db password is hunter2')],
    ['a TypeError', new TypeError('x is undefined')],
    ['a string', 'db password is hunter2'],
    ['undefined', undefined],
    ['an object', { message: 'db password is hunter2' }],
  ])('wraps %s as internal, keeping it as the cause only', (_name, thrown) => {
    // Act
    const error = toTollgateError(thrown)

    // Assess
    expect(error).toBeInstanceOf(TollgateError)
    expect(error.code).toBe('internal')
    expect(error.status).toBe(500)
    expect(error.cause).toBe(thrown)
    expect(error.message).not.toContain('hunter2')
    expect(error.message).not.toContain('undefined')
  })
})
