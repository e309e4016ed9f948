import { describe, expect, it } from 'vitest'
import {
  ERROR_CODES,
  type ErrorCode,
  SERVICE_FAULTS,
  TollgateError,
  toTollgateError,
} from '../../../functions/core/errors.js'

const CODES: readonly ErrorCode[] = ERROR_CODES

describe('SERVICE_FAULTS', () => {
  it('names the codes where the service, not the request, failed', () => {
    expect([...SERVICE_FAULTS].sort()).toEqual(['internal', 'unavailable'])
  })
})

describe('TollgateError', () => {
  it.each(CODES)('carries the code %s and no HTTP status: the edge decides it', (code) => {
    // Act
    const error = new TollgateError(code, 'detail')

    // Assess
    expect(error.code).toBe(code)
    expect(error).not.toHaveProperty('status')
    expect(error.name).toBe('TollgateError')
    expect(error).toBeInstanceOf(Error)
  })

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
    expect(error.cause).toBe(thrown)
    expect(error.message).not.toContain('hunter2')
    expect(error.message).not.toContain('undefined')
  })
})
