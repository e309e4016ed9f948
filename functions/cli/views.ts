import type {
  AccessToken,
  AccessTokenWithSecret,
  AuditEvent,
  Page,
  ServiceAccount,
  TrustPolicy,
  TrustPolicySimulation,
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

const seconds = (value: number): string => `${value} s`

export const trustPolicyText = (policy: TrustPolicy, etag?: string): string =>
  fields([
    ['id', policy.id],
    ['name', policy.name],
    ['description', policy.description],
    ['issuer', policy.issuer],
    ['jwks_uri', policy.jwks_uri ?? 'from discovery'],
    ['audience', policy.audience],
    ...(policy.subject === null
      ? ([['subject_pattern', policy.subject_pattern]] as const)
      : ([['subject', policy.subject]] as const)),
    ...Object.entries(policy.claims).map(([name, pattern]) => [`claims.${name}`, pattern] as const),
    ['service_account', policy.service_account_id],
    ['scopes', policy.scopes],
    ['max_duration', seconds(policy.max_duration_seconds)],
    ['max_token_age', seconds(policy.max_token_age_seconds)],
    ['generation', policy.generation],
    ['created_at', policy.created_at],
    ['created_by', policy.created_by],
    ['updated_at', policy.updated_at],
    ['etag', etag ?? `"${policy.version}"`],
  ])

export const trustPoliciesTable = (policies: readonly TrustPolicy[]): string =>
  table(
    ['id', 'name', 'issuer', 'subject', 'service_account', 'scopes'],
    policies.map((p) => [
      p.id,
      p.name,
      p.issuer,
      p.subject ?? p.subject_pattern,
      p.service_account_id,
      p.scopes,
    ]),
  )

/** Which policy an exchange would use, then each policy's first failing condition and what it saw. */
export const simulationText = (result: TrustPolicySimulation): string =>
  fields([
    ['issuer', result.issuer],
    ['matched_policy', result.matched_policy ?? 'none'],
    ['reason', result.reason],
  ]) +
  (result.policies.length === 0
    ? ''
    : `\n${table(
        ['id', 'name', 'matched', 'condition', 'saw'],
        result.policies.map((p) => [
          p.id,
          p.name,
          p.matched ? 'yes' : 'no',
          p.condition,
          p.saw === undefined ? undefined : JSON.stringify(p.saw),
        ]),
      )}`)
