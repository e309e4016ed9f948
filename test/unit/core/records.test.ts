import { describe, expect, it } from 'vitest'
import {
  type AccessTokenRecord,
  effectiveStatus,
  type OwnerRecord,
} from '../../../functions/core/records.js'

const NOW = Date.UTC(2026, 0, 1)
const LISTING: Pick<OwnerRecord, 'status' | 'tokens'> = {
  status: 'active',
  tokens: [{ id: 't1', name: 'ci', expiresAt: null }],
}
const status = (
  stored: string,
  expiresAt: number | null = null,
  owner: Pick<OwnerRecord, 'status' | 'tokens'> | undefined = LISTING,
) =>
  effectiveStatus(
    { id: 't1', status: stored as AccessTokenRecord['status'], expiresAt },
    owner,
    NOW,
  )

describe('effectiveStatus', () => {
  it('is active only for a stored active status before expiry, while its owner lists it', () => {
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

  it('reads revoked when the owner no longer lists it (owner-wide revoke)', () => {
    expect(status('active', null, { status: 'active', tokens: [] })).toBe('revoked')
  })

  it('reads revoked when the owner is deleted or missing', () => {
    expect(status('active', null, { ...LISTING, status: 'deleted' })).toBe('revoked')
    expect(effectiveStatus({ id: 't1', status: 'active', expiresAt: null }, undefined, NOW)).toBe(
      'revoked',
    )
  })

  it('reads expired before revoked-by-owner: expiry is the older fact', () => {
    expect(status('active', NOW - 1, { status: 'active', tokens: [] })).toBe('expired')
  })
})
