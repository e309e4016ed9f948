import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningTollgate, startTollgate } from '../support/dev-server.js'
import { docWalkthrough, runBash } from '../support/walkthrough.js'

describe('docs/people.md walkthrough: a person, a personal token, revocation', () => {
  let tollgate: RunningTollgate

  beforeAll(async () => {
    tollgate = await startTollgate({
      ROLE_SCOPES: '{"analyst": ["datasets:read", "reports:read"]}',
      // The page's defaults (30 / 10 / 10) take up to 20 s at step 6; the same rule, faster.
      REVOCATION_MAX_DELAY_SECONDS: '5',
      REVOCATION_REFRESH_SECONDS: '1',
      AUTHORIZER_CACHE_TTL_SECONDS: '1',
    })
  })
  afterAll(() => tollgate.close())

  it('runs as written against the real dev server, each step answering as the page says', async () => {
    const script = await docWalkthrough('docs/people.md', 'people')

    const { code, stdout, stderr } = await runBash(script, { TOLLGATE_URL: tollgate.server.url })

    expect(stderr).toBe('')
    expect(code).toBe(0)
    const lines = stdout.trim().split('\n')
    expect(lines[0]).toBe(
      '{"sub":"user:dev:alice","kind":"person","roles":["analyst"],"scopes":["datasets:read","reports:read"]}',
    )
    expect(lines[1]).toBe(
      '{"sub":"user:dev:alice","token_type":"personal","scope":"datasets:read"}',
    )
    expect(lines.slice(2, 5)).toEqual(['403', '403', '403'])
    expect(lines[5]).toBe('{"status":"revoked"}')
    expect(lines.slice(6, 8)).toEqual(['401', '401'])
    const seconds = Number(/after (\d+) s$/.exec(lines[8] ?? '')?.[1])
    expect(seconds).toBeLessThanOrEqual(5)
  })
})
