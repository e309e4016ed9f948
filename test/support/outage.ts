import { expect } from 'vitest'
import { ROUTES, routeKey } from '../../functions/core/routes.js'
import { apiAs, exchangeFor } from './api-client.js'
import type { RunningTollgate } from './dev-server.js'
import { type SampleIds, sampleRequest } from './route-samples.js'
import type { Exchange, Lane } from './traffic.js'

/**
 * Settings that make an outage's stages seconds apart: the deny-list copy is
 * refreshed every second and is an outage once 3 s old (5 − 2), and API
 * Gateway's result cache keeps an answer 2 s. So no allow may leave
 * `/whoami/authorizer` later than 5 s after the store went away.
 */
export const OUTAGE_ENV = {
  REVOCATION_MAX_DELAY_SECONDS: '5',
  REVOCATION_REFRESH_SECONDS: '1',
  AUTHORIZER_CACHE_TTL_SECONDS: '2',
} as const
export const MAX_DELAY_MS = 5_000

/** What the lanes are: routes that need the store, routes that do not, and the authorizer. */
export type LaneKind = 'store' | 'public' | 'authorizer' | 'authorizer-revoked'

export interface OutageLanes {
  readonly lanes: Readonly<Record<string, Lane>>
  readonly kinds: Readonly<Record<string, LaneKind>>
  /** An admin JWT and ids that exist, for one valid request to every route (route-samples.ts). */
  readonly adminJwt: string
  readonly ids: SampleIds
}

/**
 * A service account with two tokens: one in use, one revoked (its JWT on
 * the authorizer's deny-list copy already), and a lane per kind of route.
 */
export const outageLanes = async (tollgate: RunningTollgate): Promise<OutageLanes> => {
  const admin = await apiAs(tollgate, tollgate.adminToken)
  const account = await admin.post('/service-accounts', {
    name: 'outage',
    roles: [],
    scopes: ['data:read'],
  })
  const live = await admin.post('/access-tokens', {
    name: 'live',
    service_account_id: account.body.id,
  })
  const gone = await admin.post('/access-tokens', {
    name: 'gone',
    service_account_id: account.body.id,
  })
  const liveToken = live.body.token as string
  const liveJwt = await exchangeFor(tollgate, liveToken)
  const goneJwt = await exchangeFor(tollgate, gone.body.token as string)
  expect((await admin.delete(`/access-tokens/${gone.body.id}`)).status).toBe(200)
  const bearer = (jwt: string) => ({ headers: { authorization: `Bearer ${jwt}` } })
  const lanes: Record<string, Lane> = {
    exchange: {
      path: '/access-tokens/jwt',
      init: {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ access_token: liveToken }),
      },
    },
    whoami: { path: '/whoami', init: bearer(liveJwt) },
    token: { path: `/access-tokens/${live.body.id}`, init: bearer(admin.jwt) },
    accounts: { path: '/service-accounts', init: bearer(admin.jwt) },
    jwks: { path: '/.well-known/jwks.json' },
    authorizer: { path: '/whoami/authorizer', init: bearer(liveJwt) },
    'authorizer-revoked': { path: '/whoami/authorizer', init: bearer(goneJwt) },
  }
  const kinds: Record<string, LaneKind> = {
    exchange: 'store',
    whoami: 'store',
    token: 'store',
    accounts: 'store',
    jwks: 'public',
    authorizer: 'authorizer',
    'authorizer-revoked': 'authorizer-revoked',
  }
  return {
    lanes,
    kinds,
    adminJwt: admin.jwt,
    ids: {
      accessToken: liveToken,
      serviceAccountId: account.body.id as string,
      tokenId: live.body.id as string,
    },
  }
}

/** The answers a lane of each kind may get, healthy store or not. */
const SUCCESS: Readonly<Record<LaneKind, number>> = {
  store: 200,
  public: 200,
  authorizer: 200,
  'authorizer-revoked': 403,
}

export const successOf = (kind: LaneKind): number => SUCCESS[kind]

export interface OutageWindow {
  /** When the store went away (killed, or the proxy started swallowing requests). */
  readonly from: number
  /** Until when there was certainly no store to answer (the restart had not begun). */
  readonly until: number
}

/**
 * Each lane as runs of one status with their time span, relative to the
 * outage: `whoami 200×13 [-1.5 s, 0.0 s] 503×332 [0.0 s, 11.9 s] ...`.
 */
export const timeline = (exchanges: readonly Exchange[], from: number): string =>
  [...new Set(exchanges.map((e) => e.lane))]
    .map((lane) => {
      const runs: Array<{ status: number; count: number; start: number; end: number }> = []
      for (const e of exchanges.filter((x) => x.lane === lane)) {
        const last = runs.at(-1)
        if (last?.status === e.status) {
          last.count++
          last.end = e.endedAt
        } else runs.push({ status: e.status, count: 1, start: e.startedAt, end: e.endedAt })
      }
      const s = (ms: number) => `${((ms - from) / 1000).toFixed(1)} s`
      return `${lane} ${runs.map((r) => `${r.status}×${r.count} [${s(r.start)}, ${s(r.end)}]`).join(' ')}`
    })
    .join('\n')

/** One line per offending answer, for a failure message that says what happened. */
const describe = (e: Exchange, window: OutageWindow) =>
  `${e.lane} ${e.status} at +${e.startedAt - window.from}..+${e.endedAt - window.from} ms: ${e.body.slice(0, 120)}`

/**
 * docs/design.md#errors and #failure-semantics, checked on every
 * answer of a traffic run across an outage:
 * - never a hang, and never a 401/403 for a valid credential;
 * - routes that need the store answer 200 or 503 problem+json `unavailable`
 *   with Retry-After, and only 503 while there is certainly no store;
 * - routes that do not need it keep answering 200;
 * - `/whoami/authorizer` answers as an HTTP API does: an allow only while the
 *   deny-list copy (plus the result cache) is within the budget, else the fixed
 *   500, and a revoked JWT never gets in;
 * - every lane saw the outage, and is answered as before once the store is back.
 */
export const expectOutageSemantics = (
  exchanges: readonly Exchange[],
  kinds: Readonly<Record<string, LaneKind>>,
  window: OutageWindow,
  { maxAnswerMs = 15_000, slackMs = 300 } = {},
): void => {
  const offenders: string[] = []
  const offend = (e: Exchange, why: string) => offenders.push(`${why}: ${describe(e, window)}`)
  const staleAfter = window.from + MAX_DELAY_MS + slackMs
  const inside = (e: Exchange, from: number) => e.startedAt >= from && e.endedAt <= window.until
  for (const e of exchanges) {
    const kind = kinds[e.lane] ?? 'store'
    if (e.status === 0 || e.endedAt - e.startedAt > maxAnswerMs) offend(e, 'no answer in time')
    if (e.status === SUCCESS[kind]) {
      if (kind === 'store' && inside(e, window.from + slackMs))
        offend(e, 'answered without a store')
      // After `until` a refresh may have succeeded again; before it, none could.
      if (kind === 'authorizer' && e.endedAt > staleAfter && e.endedAt < window.until) {
        offend(e, 'allowed past the revocation budget')
      }
      continue
    }
    if (kind === 'store' && e.status === 503) {
      const body = JSON.parse(e.body) as { code?: string; status?: number }
      if (
        e.contentType !== 'application/problem+json' ||
        body.code !== 'unavailable' ||
        body.status !== 503 ||
        e.retryAfter === null
      ) {
        offend(e, 'a 503 that is not problem+json unavailable with Retry-After')
      }
      continue
    }
    if ((kind === 'authorizer' || kind === 'authorizer-revoked') && e.status === 500) {
      if (e.body !== '{"message":"Internal Server Error"}') offend(e, 'not API Gateway’s fixed 500')
      continue
    }
    offend(e, `unexpected status for a ${kind} lane`)
  }
  const story = timeline(exchanges, window.from)
  expect(offenders, story).toEqual([])

  for (const [lane, kind] of Object.entries(kinds)) {
    const answers = exchanges.filter((e) => e.lane === lane)
    const failures = answers.filter((e) => e.status !== SUCCESS[kind])
    const recovered = answers.filter((e) => e.startedAt > window.until).slice(-3)
    if (kind === 'public') {
      expect(failures, `${lane}\n${story}`).toEqual([])
    } else if (kind === 'authorizer') {
      // The copy went stale during the outage: the fixed 500 was seen.
      expect(
        answers.some((e) => e.status === 500),
        `${lane} saw the fixed 500\n${story}`,
      ).toBe(true)
    } else if (kind === 'store') {
      expect(failures.length, `${lane} saw the outage\n${story}`).toBeGreaterThan(0)
    }
    expect(recovered.length, `${lane} was asked after the outage\n${story}`).toBeGreaterThan(0)
    expect(
      recovered.map((e) => e.status),
      `${lane} answers as before, by itself\n${story}`,
    ).toEqual(recovered.map(() => SUCCESS[kind]))
  }
}

/**
 * One valid admin request to every route of the table, at once: what each
 * answers while a dependency is gone. The authorizer route is asked with a
 * JWT API Gateway's cache has not seen, so the authorizer decides.
 */
export const sweepEveryRoute = (url: string, jwt: string, ids: SampleIds) =>
  Promise.all(
    ROUTES.map(async (route) => {
      const { method, path, headers, body } = sampleRequest(route, jwt, ids)
      const response = await fetch(`${url}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body }),
        signal: AbortSignal.timeout(15_000),
      })
      const text = await response.text()
      const parsed = response.headers.get('content-type')?.includes('json')
        ? (JSON.parse(text) as { code?: string; error?: string })
        : {}
      return {
        key: routeKey(route),
        status: response.status,
        // problem+json's code, or RFC 6749's error on /oauth2/*.
        code: parsed.code ?? parsed.error,
        retryAfter: response.headers.get('retry-after'),
        endedAt: Date.now(),
      }
    }),
  )
