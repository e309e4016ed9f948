import { describe, expect, it } from 'vitest'
import { type Fixtures, SCENARIOS } from './scenarios.js'

const fixtures: Fixtures = {
  url: 'http://127.0.0.1:1',
  adminToken: 'tgs_admin',
  jwt: 'one.jwt.only',
  jwts: ['a.b.c', 'd.e.f', 'g.h.i'],
  tokenId: 'tok_1',
}

describe('the load scenarios', () => {
  it("send the authorizer's distinct JWTs each in turn, and its cached case one JWT", () => {
    const distinct = SCENARIOS.find((s) => s.name === 'GET /whoami/authorizer, distinct JWTs')
    const cached = SCENARIOS.find((s) => s.name === 'GET /whoami/authorizer, one JWT')

    const request = distinct?.request(fixtures)
    const sent = Array.from({ length: 7 }, () => request?.perRequest?.().authorization)

    expect(sent).toEqual(
      ['a.b.c', 'd.e.f', 'g.h.i', 'a.b.c', 'd.e.f', 'g.h.i', 'a.b.c'].map((jwt) => `Bearer ${jwt}`),
    )
    expect(request?.headers).toEqual({})
    expect(cached?.request(fixtures)).toMatchObject({
      headers: { authorization: 'Bearer one.jwt.only' },
    })
    expect(cached?.request(fixtures).perRequest).toBeUndefined()
  })
})
