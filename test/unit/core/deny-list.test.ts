import { describe, expect, it } from 'vitest'
import { createDenyList, DENY_LIST_OVERLAP_MS } from '../../../functions/core/deny-list.js'
import { TollgateError } from '../../../functions/core/errors.js'
import { type DenyEntry, EVERY_GENERATION } from '../../../functions/core/records.js'
import { fixedClock } from '../../support/fakes.js'

const NOW = Date.UTC(2026, 0, 1, 12)
const LOOKBACK_MS = (43_200 + 60) * 1000

const tokenEntry = (atid: string, minGeneration: number, createdAt: number): DenyEntry => ({
  id: `dn_${atid}_${createdAt}`,
  kind: 'token',
  atid,
  minGeneration,
  createdAt,
  expiresAt: createdAt + LOOKBACK_MS,
})
const ownerEntry = (sub: string, minGeneration: number, createdAt: number): DenyEntry => ({
  id: `dn_${sub}_${createdAt}`,
  kind: 'owner',
  sub,
  minGeneration,
  createdAt,
  expiresAt: createdAt + LOOKBACK_MS,
})
const claims = (
  overrides: Partial<{ atid: string; atv: number; sub: string; otv: number; jti: string }> = {},
) => ({
  token_type: 'service' as const,
  jti: 'jti-1',
  atid: 'tok1',
  atv: 1,
  sub: 'sa_1',
  otv: 1,
  ...overrides,
})

/** A deny-list store holding `entries`, recording the ranges asked for, that can be made to fail. */
const store = (entries: DenyEntry[] = []) => {
  const reads: Array<{ since: number; until: number }> = []
  let failing = false
  return {
    entries,
    reads,
    fail: (value: boolean) => {
      failing = value
    },
    reader: {
      entriesSince: async (since: number, until: number) => {
        reads.push({ since, until })
        if (failing) throw new TollgateError('unavailable', 'down')
        return entries.filter((e) => e.createdAt >= since)
      },
    },
  }
}

const setup = (entries: DenyEntry[] = []) => {
  const clock = fixedClock(NOW)
  const deny = store(entries)
  const failures: unknown[] = []
  const denyList = createDenyList({
    reader: deny.reader,
    clock,
    refreshMs: 10_000,
    maxAgeMs: 20_000,
    lookbackMs: LOOKBACK_MS,
    onRefreshFailed: (error) => failures.push(error),
  })
  return { clock, deny, denyList, failures }
}

const codeOf = async (promise: Promise<unknown>) =>
  (await promise.then(
    () => 'allowed',
    (e: { code?: string }) => e.code,
  )) as string

const federated = (
  overrides: Partial<{ tpid: string; ptv: number; sub: string; otv: number; jti: string }> = {},
) => ({
  token_type: 'federated' as const,
  jti: 'jti-f',
  tpid: 'tp_1',
  ptv: 1,
  sub: 'sa_1',
  otv: 1,
  ...overrides,
})

describe('createDenyList', () => {
  it('refuses federated JWTs of a policy narrowed or deleted since, by generation', async () => {
    const narrowed: DenyEntry = {
      ...tokenEntry('x', 1, NOW - 1000),
      kind: 'policy',
      tpid: 'tp_1',
      minGeneration: 2,
    }
    const { denyList } = setup([narrowed])

    expect(await codeOf(denyList.check(federated({ ptv: 1 })))).toBe('invalid_token')
    expect(await codeOf(denyList.check(federated({ ptv: 2 })))).toBe('allowed')
    expect(await codeOf(denyList.check(federated({ tpid: 'tp_2' })))).toBe('allowed')
    // A policy entry never touches access-token JWTs, whatever their ids.
    expect(await codeOf(denyList.check(claims({ atid: 'tp_1' })))).toBe('allowed')
  })

  it('refuses one JWT revoked by its jti and no other', async () => {
    const revoked: DenyEntry = {
      id: 'dn_j',
      kind: 'jwt',
      jti: 'jti-gone',
      minGeneration: 0,
      createdAt: NOW - 1000,
      expiresAt: NOW + 300_000,
    }
    const { denyList } = setup([revoked])

    expect(await codeOf(denyList.check(claims({ jti: 'jti-gone' })))).toBe('invalid_token')
    expect(await codeOf(denyList.check(federated({ jti: 'jti-gone' })))).toBe('invalid_token')
    expect(await codeOf(denyList.check(claims({ jti: 'jti-other' })))).toBe('allowed')
  })

  it('loads every entry that can still matter before the first decision', async () => {
    const { denyList, deny } = setup([tokenEntry('tok1', EVERY_GENERATION, NOW - 11 * 3_600_000)])

    expect(await codeOf(denyList.check(claims()))).toBe('invalid_token')
    expect(deny.reads).toEqual([{ since: NOW - LOOKBACK_MS, until: NOW }])
  })

  it('allows nothing until that first load succeeds: an outage is unavailable', async () => {
    const { denyList, deny } = setup()
    deny.fail(true)

    expect(await codeOf(denyList.check(claims()))).toBe('unavailable')
  })

  it('compares generations, not clocks: the new secret’s JWTs pass, the old ones do not', async () => {
    const { denyList } = setup([tokenEntry('tok1', 2, NOW - 1000)])

    expect(await codeOf(denyList.check(claims({ atv: 1 })))).toBe('invalid_token')
    expect(await codeOf(denyList.check(claims({ atv: 2 })))).toBe('allowed')
    expect(await codeOf(denyList.check(claims({ atid: 'other', atv: 1 })))).toBe('allowed')
  })

  it('refuses every JWT of an owner below its minimum otv', async () => {
    const { denyList } = setup([ownerEntry('sa_1', 3, NOW - 1000)])

    expect(await codeOf(denyList.check(claims({ otv: 2 })))).toBe('invalid_token')
    expect(await codeOf(denyList.check(claims({ otv: 3 })))).toBe('allowed')
    expect(await codeOf(denyList.check(claims({ sub: 'sa_2', otv: 1 })))).toBe('allowed')
  })

  it('refreshes at the start of a check once the copy is older than the refresh interval', async () => {
    const { denyList, deny, clock } = setup()
    await denyList.check(claims())

    clock.advance(9_999)
    await denyList.check(claims())
    expect(deny.reads).toHaveLength(1)

    deny.entries.push(tokenEntry('tok1', EVERY_GENERATION, clock.now()))
    clock.advance(1)
    expect(await codeOf(denyList.check(claims()))).toBe('invalid_token')
    // From the watermark minus the overlap, so a late commit is still found.
    expect(deny.reads[1]).toEqual({ since: NOW - DENY_LIST_OVERLAP_MS, until: NOW + 10_000 })
  })

  it('finds an entry committed late, with a creation time before its watermark', async () => {
    const { denyList, deny, clock } = setup()
    await denyList.check(claims())

    // Written by a writer whose clock ran 90 s behind, committed after our first read.
    deny.entries.push(tokenEntry('tok1', EVERY_GENERATION, NOW - 90_000))
    clock.advance(10_000)

    expect(await codeOf(denyList.check(claims()))).toBe('invalid_token')
  })

  it('keeps a young copy through a failed refresh, then calls an old one an outage', async () => {
    const { denyList, deny, clock, failures } = setup([tokenEntry('tok9', EVERY_GENERATION, NOW)])
    await denyList.check(claims())
    deny.fail(true)

    clock.advance(15_000)
    expect(await codeOf(denyList.check(claims()))).toBe('allowed')
    expect(await codeOf(denyList.check(claims({ atid: 'tok9' })))).toBe('invalid_token')
    expect(failures).toHaveLength(2)

    clock.advance(5_001)
    expect(await codeOf(denyList.check(claims()))).toBe('unavailable')

    deny.fail(false)
    expect(await codeOf(denyList.check(claims()))).toBe('allowed')
  })

  it('judges the copy when a failed refresh ends: a hung read never lets an old copy allow', async () => {
    const { denyList, deny, clock } = setup()
    await denyList.check(claims())
    clock.advance(15_000)
    // A read that hangs for 6 s before it fails (a DynamoDB that accepts and never answers).
    deny.reader.entriesSince = async () => {
      clock.advance(6_000)
      throw new TollgateError('unavailable', 'timed out')
    }

    // Begun with a 15 s old copy, decided with a 21 s old one: past maxAgeMs (20 s).
    expect(await codeOf(denyList.check(claims()))).toBe('unavailable')
  })

  it('forgets entries once no JWT they could refuse can be valid', async () => {
    const { denyList, clock, deny } = setup([tokenEntry('tok1', EVERY_GENERATION, NOW)])
    await denyList.check(claims({ atid: 'other' }))

    clock.advance(LOOKBACK_MS)
    deny.entries.length = 0

    expect(await codeOf(denyList.check(claims()))).toBe('allowed')
  })

  it('shares one refresh between concurrent checks', async () => {
    const { denyList, deny } = setup()

    await Promise.all(Array.from({ length: 10 }, () => denyList.check(claims())))

    expect(deny.reads).toHaveLength(1)
  })

  it('loads ahead of the first check (a cold start), which then reads nothing', async () => {
    const { denyList, deny } = setup([tokenEntry('tok1', 2, NOW - 60_000)])

    const loading = denyList.load()
    const checked = codeOf(denyList.check(claims({ atv: 1 })))
    await loading

    expect(await checked).toBe('invalid_token')
    await denyList.load()
    expect(deny.reads).toHaveLength(1)
  })

  it('lets a failed load be tried again by the first check', async () => {
    const { denyList, deny } = setup()
    deny.fail(true)

    expect(await codeOf(denyList.load())).toBe('unavailable')
    deny.fail(false)

    expect(await codeOf(denyList.check(claims()))).toBe('allowed')
    expect(deny.reads).toHaveLength(2)
  })

  it('reports its age once per interval, never in the first, and the age failed refreshes leave', async () => {
    const clock = fixedClock(NOW)
    const deny = store()
    const ages: number[] = []
    const denyList = createDenyList({
      reader: deny.reader,
      clock,
      refreshMs: 10_000,
      maxAgeMs: 20_000,
      lookbackMs: LOOKBACK_MS,
      reportAge: { everyMs: 30_000, report: (ageMs) => ages.push(ageMs) },
    })

    await denyList.check(claims())
    clock.advance(29_000)
    await denyList.check(claims())
    expect(ages).toEqual([])

    clock.advance(1_000)
    await denyList.check(claims())
    expect(ages).toEqual([1_000])

    deny.fail(true)
    clock.advance(15_000)
    expect(await codeOf(denyList.check(claims()))).toBe('allowed')
    expect(ages).toEqual([1_000])

    clock.advance(15_000)
    expect(await codeOf(denyList.check(claims()))).toBe('unavailable')
    expect(ages).toEqual([1_000, 31_000])
  })
})
