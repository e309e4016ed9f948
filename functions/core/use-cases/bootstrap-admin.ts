import { randomBytes } from 'node:crypto'
import { generateAccessToken } from '../access-token.js'
import { encodeBase62 } from '../base62.js'
import type { Config } from '../config.js'
import type { Clock, Secrets, TokenStore } from '../ports.js'
import type { AccessTokenRecord, ServiceAccountRecord } from '../records.js'
import { TOLLGATE_SCOPES } from '../routes.js'
import { hashAccessToken } from '../token-hash.js'

export const ADMIN_ROLE = 'admin'
const BOOTSTRAP_ACTOR = 'bootstrap'

export interface BootstrapDependencies {
  readonly store: TokenStore
  readonly secrets: Secrets
  readonly clock: Clock
  readonly config: Pick<Config, 'defaultTokenTtlSeconds' | 'maxActiveTokensPerOwner'>
}

export interface BootstrapResult {
  readonly account: ServiceAccountRecord
  readonly token: AccessTokenRecord
  /** The access token itself: shown once, stored nowhere. */
  readonly secret: string
}

/**
 * Mints an admin service account and its first access token straight into the store.
 *
 * Primary course:
 * 1. Make the account (role `admin`, every management scope) and a token for it.
 * 2. Store both in one transaction; with `asFirstAdmin` the transaction also
 *    claims the table's one bootstrap marker, so a restart never mints twice.
 * 3. Return the secret for the caller to show once.
 */
export const bootstrapAdmin = async (
  deps: BootstrapDependencies,
  request: { readonly name: string; readonly asFirstAdmin: boolean },
): Promise<BootstrapResult> => {
  const now = deps.clock.now()
  const account: ServiceAccountRecord = {
    id: `sa_${encodeBase62(randomBytes(16), 22)}`,
    name: request.name,
    description: 'Administrator created by bootstrap',
    roles: [ADMIN_ROLE],
    scopes: [...TOLLGATE_SCOPES],
    createdAt: now,
    createdBy: BOOTSTRAP_ACTOR,
  }
  const secret = generateAccessToken('service')
  const pepper = await deps.secrets.currentPepper()
  const token: AccessTokenRecord = {
    id: secret.id,
    name: 'bootstrap',
    description: 'First token of a bootstrap administrator',
    kind: 'service',
    owner: { type: 'service_account', id: account.id },
    scopes: account.scopes,
    roles: account.roles,
    createdAt: now,
    createdBy: BOOTSTRAP_ACTOR,
    expiresAt: now + deps.config.defaultTokenTtlSeconds * 1000,
    lastUsedAt: null,
    status: 'active',
    revokedAt: null,
    revokedBy: null,
    tokenHint: secret.hint,
    secretHash: hashAccessToken(pepper.key, secret.value),
    pepperVersion: pepper.version,
    version: 1,
  }
  await deps.store.createServiceAccountWithToken(account, token, {
    asFirstAdmin: request.asFirstAdmin,
    maxActiveTokensPerOwner: deps.config.maxActiveTokensPerOwner,
  })
  return { account, token, secret: secret.value }
}
