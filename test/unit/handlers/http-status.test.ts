import { describe, expect, it } from 'vitest'
import type { ErrorCode } from '../../../functions/core/errors.js'
import { STATUS_BY_CODE, TITLE_BY_CODE } from '../../../functions/handlers/http-status.js'

/** docs/design.md#errors. */
const CONTRACT_STATUS: Record<ErrorCode, number> = {
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
    expect(STATUS_BY_CODE).toEqual(CONTRACT_STATUS)
  })

  it('gives every code a title', () => {
    // Act and assess
    expect(Object.keys(TITLE_BY_CODE).sort()).toEqual(Object.keys(CONTRACT_STATUS).sort())
    for (const title of Object.values(TITLE_BY_CODE)) expect(title).not.toBe('')
  })
})
