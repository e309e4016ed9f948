import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import * as api from '../../functions/api/schemas.js'
import { type RunningTollgate, startTollgate } from '../support/dev-server.js'
import { githubActionsClaims, type OidcIssuer, startOidcIssuer } from '../support/oidc-issuer.js'
import { cli, tempConfigHome } from './run-cli.js'

const AUDIENCE = 'sts.tollgate'

/** The claims of a JWT the CLI printed (its own, so decoding is enough). */
const claimsOf = (jwt: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString())

describe('tollgate CLI: trust policies, federation and client_credentials against the dev server', () => {
  let github: OidcIssuer
  let tollgate: RunningTollgate
  let admin: Record<string, string>
  /** No Tollgate credential at all: what a CI job holding only its OIDC token has. */
  let workload: Record<string, string>
  let accountId: string
  let policyId: string
  let home: string

  beforeAll(async () => {
    github = await startOidcIssuer()
    tollgate = await startTollgate({ FEDERATION_ISSUERS: JSON.stringify([github.url]) })
    home = await tempConfigHome()
    admin = {
      TOLLGATE_URL: tollgate.server.url,
      TOLLGATE_ACCESS_TOKEN: tollgate.adminToken,
      XDG_CONFIG_HOME: home,
    }
    workload = { TOLLGATE_URL: tollgate.server.url, XDG_CONFIG_HOME: home }
    const account = await cli(
      [
        'service-accounts',
        'create',
        'api-deployer',
        '--scopes',
        'datasets:read,datasets:write,tokens:read',
        '--json',
      ],
      admin,
    )
    accountId = JSON.parse(account.stdout).id
    const created = await cli(
      [
        'trust-policies',
        'create',
        'api deploys from main',
        '--issuer',
        github.url,
        '--audience',
        AUDIENCE,
        '--subject-pattern',
        'repo:acme/api:ref:refs/heads/main',
        '--claim',
        'repository_owner=acme',
        '--service-account',
        accountId,
        '--scopes',
        'datasets:read,datasets:write',
        '--max-duration',
        '15m',
        '--json',
      ],
      admin,
    )
    expect(created.stderr).toBe('')
    policyId = api.trustPolicy.parse(JSON.parse(created.stdout)).id
  })
  afterAll(async () => {
    await tollgate.close()
    await github.close()
  })

  it('create from flags is what show reads back; list shows it', async () => {
    const shown = await cli(['trust-policies', 'show', policyId, '--json'], admin)
    const listed = await cli(['tp', 'list'], admin)

    expect(JSON.parse(shown.stdout)).toMatchObject({
      name: 'api deploys from main',
      issuer: github.url,
      subject_pattern: 'repo:acme/api:ref:refs/heads/main',
      claims: { repository_owner: 'acme' },
      service_account_id: accountId,
      scopes: ['datasets:read', 'datasets:write'],
      max_duration_seconds: 900,
    })
    expect(listed.stdout).toMatch(/^ID\s+NAME\s+ISSUER\s+SUBJECT\s+SERVICE_ACCOUNT\s+SCOPES$/m)
    expect(listed.stdout).toContain(policyId)
  })

  it('simulate --claims: a job on branch dev fails subject, and the value it saw is shown', async () => {
    const file = join(home, 'dev-claims.json')
    await writeFile(
      file,
      JSON.stringify({
        iss: github.url,
        ...githubActionsClaims({ ref: 'refs/heads/dev', aud: AUDIENCE }),
        iat: Math.floor(Date.now() / 1000),
      }),
    )

    const run = await cli(['trust-policies', 'simulate', '--claims', file], admin)

    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^matched_policy\s+none$/m)
    expect(run.stdout).toMatch(
      new RegExp(
        `^${policyId}\\s+api deploys from main\\s+no\\s+subject\\s+"repo:acme/api:ref:refs/heads/dev"$`,
        'm',
      ),
    )
  })

  it('simulate with the outside token on stdin: verified, then matched', async () => {
    const token = await github.mint(githubActionsClaims({ aud: AUDIENCE }))

    const run = await cli(['tp', 'simulate', '--json'], admin, { stdin: token })

    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(JSON.parse(run.stdout)).toMatchObject({ matched_policy: policyId })
  })

  it('jwt --federate --policy NAME: a GitHub Actions token on stdin becomes a JWT that opens whoami with the policy’s scopes', async () => {
    const token = await github.mint(githubActionsClaims({ aud: AUDIENCE }))

    const run = await cli(['jwt', '--federate', '--policy', 'api deploys from main'], workload, {
      stdin: `${token}\n`,
    })
    const whoami = await cli(['whoami', '--json'], { ...workload, TOLLGATE_JWT: run.stdout.trim() })

    expect(run.stderr).toBe('')
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/)
    expect(claimsOf(run.stdout)).toMatchObject({
      sub: accountId,
      token_type: 'federated',
      tpid: policyId,
      act: { iss: github.url, sub: 'repo:acme/api:ref:refs/heads/main' },
    })
    expect(whoami.code).toBe(0)
    expect(JSON.parse(whoami.stdout)).toMatchObject({
      sub: accountId,
      kind: 'federated',
      scopes: ['datasets:read', 'datasets:write'],
    })
  })

  it('jwt --federate --scope --duration --json: the OAuth answer, narrowed', async () => {
    const token = await github.mint(githubActionsClaims({ aud: AUDIENCE }))

    const run = await cli(
      ['jwt', '--federate', '--scope', 'datasets:read', '--duration', '2m', '--json'],
      workload,
      { stdin: token },
    )

    expect(run.code).toBe(0)
    const answer = api.oauthTokenResponse.parse(JSON.parse(run.stdout))
    expect(answer).toMatchObject({ scope: 'datasets:read', expires_in: 120 })
  })

  it('a refused token (branch dev): a non-zero exit, the reason, the next step, and no token echoed', async () => {
    const token = await github.mint(githubActionsClaims({ ref: 'refs/heads/dev', aud: AUDIENCE }))

    const run = await cli(['jwt', '--federate'], workload, { stdin: token })

    expect(run.code).not.toBe(0)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(/^tollgate jwt: .*subject/)
    expect(run.stderr).toContain('refs/heads/dev')
    expect(run.stderr).toContain('tollgate trust-policies simulate')
    expect(run.stderr).not.toContain(token.split('.')[2])
  })

  it('jwt --client-credentials: the OAuth grant with the access token, and the JWT opens whoami', async () => {
    const run = await cli(
      ['jwt', '--client-credentials', '--scope', 'tokens:read', '--json'],
      admin,
    )

    expect(run.code).toBe(0)
    const answer = api.oauthTokenResponse.parse(JSON.parse(run.stdout))
    expect(answer.scope).toBe('tokens:read')
    const whoami = await cli(['whoami', '--json'], {
      ...workload,
      TOLLGATE_JWT: answer.access_token,
    })
    expect(JSON.parse(whoami.stdout)).toMatchObject({ kind: 'service', scopes: ['tokens:read'] })
  })

  it('update from --file, then delete: the policy is gone and its events stay', async () => {
    const file = join(home, 'narrow.json')
    await writeFile(file, JSON.stringify({ scopes: ['datasets:read'] }))
    const created = await cli(
      [
        'tp',
        'create',
        '--file',
        await policyFile(home, { name: 'short-lived', subject: 'repo:acme/api:ref:refs/heads/x' }),
        '--json',
      ],
      admin,
    )
    const id = JSON.parse(created.stdout).id as string

    const updated = await cli(['tp', 'update', id, '--file', file, '--json'], admin)
    const refused = await cli(['tp', 'delete', id], admin)
    const deleted = await cli(['tp', 'delete', id, '--yes'], admin)
    const gone = await cli(['tp', 'show', id], admin)
    const events = await cli(['tp', 'events', id, '--json'], admin)

    expect(created.code).toBe(0)
    expect(JSON.parse(updated.stdout)).toMatchObject({ scopes: ['datasets:read'], generation: 2 })
    expect(refused.code).toBe(2)
    expect(deleted.code).toBe(0)
    expect(gone.code).toBe(4)
    expect(JSON.parse(events.stdout).items.length).toBeGreaterThanOrEqual(3)
  })

  /** A policy as the API's JSON in a file, for `--file`. */
  const policyFile = async (directory: string, fields: Record<string, unknown>) => {
    const path = join(directory, `${String(fields.name)}.json`)
    await writeFile(
      path,
      JSON.stringify({
        issuer: github.url,
        audience: AUDIENCE,
        service_account_id: accountId,
        scopes: ['datasets:read', 'datasets:write'],
        max_duration_seconds: 300,
        ...fields,
      }),
    )
    return path
  }
})
