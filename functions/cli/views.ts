import type {
  AccessToken,
  AccessTokenWithSecret,
  AuditEvent,
  Page,
  ServiceAccount,
} from '../client/index.js'
import { type Cell, fields, SHOWN_ONCE, table } from './output.js'

/** How people read API records; `--json` prints the records themselves. */

export const serviceAccountText = (account: ServiceAccount, etag?: string): string =>
  fields([
    ['id', account.id],
    ['name', account.name],
    ['description', account.description],
    ['roles', account.roles],
    ['scopes', account.scopes],
    ['created_at', account.created_at],
    ['created_by', account.created_by],
    ...(etag === undefined ? [] : ([['etag', etag]] as const)),
  ])

export const serviceAccountsTable = (accounts: readonly ServiceAccount[]): string =>
  table(
    ['id', 'name', 'roles', 'scopes', 'created_at'],
    accounts.map((a) => [a.id, a.name, a.roles, a.scopes, a.created_at]),
  )

const never = (value: string | null): Cell => value ?? 'never'

export const tokenText = (token: AccessToken): string =>
  fields([
    ['id', token.id],
    ['name', token.name],
    ['description', token.description],
    ['kind', token.kind],
    ['owner', token.owner.id],
    ['status', token.status],
    ['scopes', token.scopes],
    ['roles', token.roles],
    ['created_at', token.created_at],
    ['created_by', token.created_by],
    ['expires_at', never(token.expires_at)],
    ['last_used_at', never(token.last_used_at)],
    ...(token.revoked_at === null
      ? []
      : ([
          ['revoked_at', token.revoked_at],
          ['revoked_by', token.revoked_by],
        ] as const)),
    ['token_hint', token.token_hint],
    ['version', token.version],
    ['generation', token.generation],
  ])

/** A token with its secret: the record, then the secret on a line of its own, marked. */
export const tokenWithSecretText = (token: AccessTokenWithSecret): string =>
  `${tokenText(token)}\nAccess token secret (${SHOWN_ONCE}):\n${token.token}\n`

export const tokensTable = (tokens: readonly AccessToken[]): string =>
  table(
    ['id', 'name', 'owner', 'status', 'scopes', 'expires_at', 'last_used_at'],
    tokens.map((t) => [
      t.id,
      t.name,
      t.owner.id,
      t.status,
      t.scopes,
      never(t.expires_at),
      never(t.last_used_at),
    ]),
  )

export const eventsTable = (events: readonly AuditEvent[]): string =>
  table(
    ['at', 'action', 'actor', 'request_id'],
    events.map((e) => [e.at, e.action, e.actor, e.request_id]),
  )

/** The hint for the next page, when there is one and `--all` was not asked. */
export const nextPageNote = (page: Page<unknown>): string | undefined =>
  page.next_cursor === null
    ? undefined
    : `More results: add --cursor ${page.next_cursor} (or --all for every page).`
