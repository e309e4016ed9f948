import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningTollgate, startTollgate } from '../support/dev-server.js'
import { docWalkthrough, runBash } from '../support/walkthrough.js'

describe('docs/api.md walkthrough: the management API with curl', () => {
  let tollgate: RunningTollgate

  beforeAll(async () => {
    tollgate = await startTollgate()
  })
  afterAll(() => tollgate.close())

  it('runs as written against the real dev server, each step answering as the page says', async () => {
    const script = await docWalkthrough('docs/api.md', 'management')

    const { code, stdout, stderr } = await runBash(script, {
      TOLLGATE_URL: tollgate.server.url,
      ADMIN_TOKEN: tollgate.adminToken,
    })

    expect(stderr).toBe('')
    expect(code).toBe(0)
    const lines = stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^\{"sub":"sa_[0-9A-Za-z]{22}","scopes":\["datasets:read"\]\}$/)
    expect(lines[1]).toMatch(/^\[\{"id":"[0-9A-Za-z]{22}","name":"ci","status":"active"\}\]$/)
    expect(lines[2]).toBe('null')
    expect(lines.slice(3, 5)).toEqual(['428', '412'])
    expect(lines[5]).toBe('{"description":"main branch","version":2}')
    expect(lines[6]).toBe('401')
    expect(lines[7]).toMatch(/^\{"id":"[0-9A-Za-z]{22}","status":"revoked"\}$/)
    expect(lines.slice(8, 12)).toEqual(['401', '401', '204', '401'])
    expect(lines[12]).toBe('["token.revoked","token.regenerated","token.updated","token.created"]')
  })
})
