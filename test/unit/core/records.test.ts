import { describe, expect, it } from 'vitest'
import { type AccessTokenRecord, effectiveStatus } from '../../../functions/core/records.js'

const NOW = Date.UTC(2026, 0, 1)
const status = (stored: string, expiresAt: number | null = null) =>
  effectiveStatus({ status: stored as AccessTokenRecord['status'], expiresAt }, NOW)

describe('effectiveStatus', () => {
  it('is active only for a stored active status before expiry', () => {
    expect(status('active')).toBe('active')
    expect(status('active', NOW + 1)).toBe('active')
    expect(status('active', NOW)).toBe('expired')
  })

  it('keeps revoked as revoked, whatever the expiry', () => {
    expect(status('revoked', NOW + 1)).toBe('revoked')
  })

  it.each(['expired', 'disabled', '', 'ACTIVE'])(
    'fails closed on any other stored status (%j)',
    (stored) => {
      expect(status(stored, NOW + 60_000)).toBe('expired')
    },
  )
})
