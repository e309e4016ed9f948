import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { type Browser, chromium, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freePort } from '../../functions/local/free-port.js'
import { type RunningTollgate, startTollgate } from '../support/dev-server.js'
import {
  type RunningOidcProvider,
  startOidcProvider,
  trustedIssuerEntry,
} from '../support/oidc-provider.js'

/**
 * The console in a real browser (Debian's Chromium, driven by
 * playwright-core) against the real dev server and a real OpenID Provider,
 * as a person uses it. `npm run test:browser`; not part of `npm test`.
 */

const CLIENT_ID = 'tollgate-console'
const SCREENSHOTS = new URL('../../docs/images/', import.meta.url)
const chromiumPath = execFileSync('which', ['chromium'], { encoding: 'utf8' }).trim()

let idp: RunningOidcProvider
let tollgate: RunningTollgate
const ID_TOKEN_TTL_SECONDS = 90
let browser: Browser
let consoleUrl: string

beforeAll(async () => {
  // Tollgate must trust the provider, and the provider must know Tollgate's redirect URI:
  // the provider's port is reserved first.
  const idpPort = await freePort()
  const issuer = `http://127.0.0.1:${idpPort}`
  tollgate = await startTollgate({
    TRUSTED_ISSUERS: JSON.stringify([trustedIssuerEntry(issuer, CLIENT_ID)]),
  })
  idp = await startOidcProvider({
    clientId: CLIENT_ID,
    redirectUris: [`${tollgate.server.url}/console`],
    people: { ada: ['tollgate-admins'], grace: [] },
    port: idpPort,
    // Sessions renew a minute before they end: 90 s ID tokens renew 30 s after sign-in.
    idTokenTtlSeconds: ID_TOKEN_TTL_SECONDS,
  })
  consoleUrl = `${tollgate.server.url}/console`
  browser = await chromium.launch({ executablePath: chromiumPath })
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await tollgate?.close()
  await idp?.close()
})

/** A page that fails the test on any dialog: the XSS probe's alarm. */
const openConsole = async (options: { bypassCSP?: boolean } = {}) => {
  const context = await browser.newContext({
    permissions: ['clipboard-read', 'clipboard-write'],
    ...options,
  })
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
    origin: tollgate.server.url,
  })
  const page = await context.newPage()
  const dialogs: string[] = []
  page.on('dialog', async (dialog) => {
    dialogs.push(dialog.message())
    await dialog.dismiss()
  })
  const response = await page.goto(consoleUrl)
  return { context, page, dialogs, response }
}

const signInAsDeveloper = async (page: Page, name: string, admin: boolean) => {
  await page.getByLabel('Your name').fill(name)
  if (admin) await page.getByLabel('with the admin role').check()
  await page.getByRole('button', { name: 'Sign in as a developer' }).click()
  await page.getByTestId('who').waitFor()
}

const exchange = (secret: string) =>
  fetch(`${tollgate.server.url}/access-tokens/jwt`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ access_token: secret }),
  })

/** A screenshot for docs/; a secret on screen is masked, so none is ever committed. */
const screenshot = (page: Page, name: string) =>
  page.screenshot({
    path: new URL(`console-${name}.png`, SCREENSHOTS).pathname,
    fullPage: true,
    mask: [page.getByTestId('secret')],
  })

describe('the console', () => {
  it('is served with a strict policy: no inline script, no eval, never framed', async () => {
    const { context, response } = await openConsole()
    const headers = response?.headers() ?? {}

    expect(headers['content-security-policy']).toContain("script-src 'self'")
    expect(headers['content-security-policy']).not.toContain('unsafe')
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'")
    expect(headers['content-security-policy']).toContain(`connect-src 'self' ${idp.issuer}`)
    expect(headers['x-content-type-options']).toBe('nosniff')
    expect(headers['referrer-policy']).toBe('no-referrer')
    await context.close()
  })

  it('signs in through the identity provider, creates an account and a token, and revokes it', async () => {
    const { context, page, dialogs } = await openConsole()
    await screenshot(page, 'sign-in')

    // Sign in: code + PKCE in a popup at the real provider.
    const popupOpened = page.waitForEvent('popup')
    await page.getByRole('button', { name: 'Sign in with acme' }).click()
    const popup = await popupOpened
    await popup.locator('input[name="login"]').fill('ada')
    await popup.locator('input[name="password"]').fill('any')
    await popup.locator('button[type="submit"]').click()
    await popup.getByRole('button', { name: 'Continue' }).click()
    await page.getByTestId('who').or(page.getByRole('alert')).waitFor()
    expect(await page.getByRole('alert').allInnerTexts()).toEqual([])
    expect(await page.getByTestId('who').textContent()).toContain('user:acme:ada')
    expect(new URL(page.url()).search).toBe('')

    // A service account, then a token for it.
    await page.getByRole('button', { name: 'Service accounts' }).click()
    await page.getByRole('button', { name: 'Create account' }).click()
    await page.getByLabel('Account name').fill('etl')
    await page.getByLabel('Scopes (space-separated)').fill('datasets:read datasets:write')
    await page.getByRole('button', { name: 'Create account' }).last().click()
    await page.getByRole('heading', { name: 'etl' }).waitFor()
    await page.getByRole('button', { name: 'Create token' }).click()
    await page.getByLabel('Name', { exact: true }).fill('nightly')
    await page.getByLabel('Description').fill('loads the warehouse')
    await screenshot(page, 'create-token')
    await page.getByRole('button', { name: 'Create', exact: true }).click()

    // The secret, once, copied.
    await page.getByText('you will not see this again').waitFor()
    const secret = (await page.getByTestId('secret').textContent()) ?? ''
    await screenshot(page, 'secret-once')
    await page.getByRole('button', { name: 'Copy' }).click()
    expect(
      await page.evaluate(() =>
        (
          globalThis as unknown as { navigator: { clipboard: { readText(): Promise<string> } } }
        ).navigator.clipboard.readText(),
      ),
    ).toBe(secret)
    expect((await exchange(secret)).status).toBe(200)

    // Revoke it, with a confirmation; the exchange then fails.
    await page.getByRole('button', { name: 'Done' }).click()
    await page.getByRole('heading', { name: 'nightly' }).waitFor()
    await page.getByRole('button', { name: 'Revoke' }).click()
    await page.getByRole('button', { name: 'Yes, revoke' }).click()
    await page.locator('.facts .badge.revoked').waitFor()
    expect((await exchange(secret)).status).toBe(401)

    // The audit timeline tells the story.
    const timeline = page.locator('.timeline')
    await timeline.getByText('token.revoked').waitFor()
    expect(await timeline.textContent()).toContain('token.created')
    await screenshot(page, 'token')
    await page.getByRole('button', { name: 'Tokens', exact: true }).click()
    await page.getByRole('heading', { name: 'Access tokens' }).waitFor()
    await page.getByText('nightly').waitFor()
    await screenshot(page, 'tokens')
    expect(dialogs).toEqual([])
    await context.close()
  })

  it('renders hostile text as text: no markup, no script, no dialog', async () => {
    const { context, page, dialogs } = await openConsole()
    await signInAsDeveloper(page, 'mallory', false)
    const hostile = '<img src=x onerror=alert(1)>'

    // Names are plain words (the API refuses this one, and the refusal is shown as text)…
    await page.getByRole('button', { name: 'Create token' }).click()
    await page.getByLabel('Name', { exact: true }).fill(hostile)
    await page.getByRole('button', { name: 'Create', exact: true }).click()
    await page.getByRole('alert').waitFor()
    // …descriptions are free text: this one is stored, listed and shown, as text.
    await page.getByLabel('Name', { exact: true }).fill('xss-probe')
    await page.getByLabel('Description').fill(hostile)
    await page.getByRole('button', { name: 'Create', exact: true }).click()
    await page.getByRole('button', { name: 'Done' }).click()
    await page.getByRole('heading', { name: 'xss-probe' }).waitFor()
    await page.locator('.facts').getByText(hostile).waitFor()

    expect(await page.locator('img').count()).toBe(0)
    expect(dialogs).toEqual([])
    await context.close()
  })

  it('explains a stale edit and keeps what was typed', async () => {
    const { context, page } = await openConsole()
    await signInAsDeveloper(page, 'stale', false)
    await page.getByRole('button', { name: 'Create token' }).click()
    await page.getByLabel('Name', { exact: true }).fill('laptop')
    await page.getByRole('button', { name: 'Create', exact: true }).click()
    await page.getByRole('button', { name: 'Done' }).click()
    await page.getByRole('heading', { name: 'laptop' }).waitFor()
    await page.getByRole('button', { name: 'Edit' }).click()
    await page.getByLabel('Description').fill('my typed words')

    // Meanwhile, elsewhere: the same person changes the token.
    const login = (await (
      await fetch(`${tollgate.server.url}/dev/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'stale' }),
      })
    ).json()) as { jwt: string }
    const id = (await page.locator('.facts code').nth(1).textContent()) ?? ''
    const changed = await fetch(`${tollgate.server.url}/access-tokens/${id}`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${login.jwt}`,
        'content-type': 'application/json',
        'if-match': '*',
      },
      body: JSON.stringify({ description: 'changed elsewhere' }),
    })
    expect(changed.status).toBe(200)

    await page.getByRole('button', { name: 'Save' }).click()
    await page.getByText('Someone changed this token after you opened it').waitFor()
    expect(await page.getByLabel('Description').inputValue()).toBe('my typed words')
    await screenshot(page, 'stale-edit')
    await page.getByRole('button', { name: 'Load the latest version' }).click()
    await page.getByRole('button', { name: 'Save' }).click()
    await page.locator('.facts').getByText('my typed words').waitFor()
    await context.close()
  })

  it('offers a personal-token session no way to create tokens', async () => {
    const login = (await (
      await fetch(`${tollgate.server.url}/dev/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'pat' }),
      })
    ).json()) as { jwt: string }
    const created = (await (
      await fetch(`${tollgate.server.url}/access-tokens`, {
        method: 'POST',
        headers: { authorization: `Bearer ${login.jwt}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'pat-laptop', scopes: [] }),
      })
    ).json()) as { token: string }
    const { context, page } = await openConsole()

    await page.getByRole('textbox', { name: 'Access token' }).fill(created.token)
    await page.getByRole('button', { name: 'Sign in with the token' }).click()
    await page.getByTestId('who').waitFor()
    await page.getByText('pat-laptop').waitFor()

    expect(await page.getByTestId('who').textContent()).toContain('personal')
    expect(await page.getByRole('button', { name: /create/i }).count()).toBe(0)
    await context.close()
  })

  it('has no serious or critical accessibility findings (axe-core)', async () => {
    // Only here is the policy bypassed: to inject axe itself.
    const { context, page } = await openConsole({ bypassCSP: true })
    const axe = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
    const scan = async (): Promise<string[]> => {
      await page.addScriptTag({ content: axe })
      const results = (await page.evaluate(() =>
        (globalThis as unknown as { axe: { run: () => Promise<unknown> } }).axe.run(),
      )) as { violations: { id: string; impact: string | null }[] }
      return results.violations
        .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
        .map((violation) => `${violation.id} (${violation.impact})`)
    }
    expect(await scan()).toEqual([])
    await signInAsDeveloper(page, 'axe', true)
    await page.getByText('Access tokens').waitFor()
    expect(await scan()).toEqual([])
    await page.getByRole('button', { name: 'Create token' }).click()
    expect(await scan()).toEqual([])
    await context.close()
  })

  it('renews a provider session with its refresh token, no window, and ends it with a clear message when it cannot', async () => {
    const { context, page } = await openConsole()
    let popups = 0
    page.on('popup', () => {
      popups += 1
    })
    const popupOpened = page.waitForEvent('popup')
    await page.getByRole('button', { name: 'Sign in with acme' }).click()
    const popup = await popupOpened
    await popup.locator('input[name="login"]').fill('grace')
    await popup.locator('input[name="password"]').fill('any')
    await popup.locator('button[type="submit"]').click()
    await popup.getByRole('button', { name: 'Continue' }).click()
    await page.getByTestId('who').waitFor()
    const firstEnd = await page.getByTestId('session-ends').textContent()

    // 30 s in, a minute before the end, the session renews with the in-memory refresh token.
    await expect
      .poll(() => page.getByTestId('session-ends').textContent(), { timeout: 60_000 })
      .not.toBe(firstEnd)
    expect(await page.getByTestId('who').textContent()).toContain('user:acme:grace')
    expect(popups).toBe(1)

    // Without the provider, the next renewal fails and the session ends, saying so.
    await idp.close()
    await page
      .getByText('Your session ended. Sign in again to go on.')
      .waitFor({ timeout: (ID_TOKEN_TTL_SECONDS + 30) * 1000 })
    expect(await page.getByTestId('who').count()).toBe(0)
    await context.close()
  }, 240_000)
})
