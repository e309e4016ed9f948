import type { Caller, RequestContext } from '../../functions/core/caller.js'
import { parseConfig } from '../../functions/core/config.js'
import { TOLLGATE_ADMIN_SCOPE, TOLLGATE_SCOPES } from '../../functions/core/routes.js'
import { fixedClock, fixedSecrets, MemoryStore } from './fakes.js'

/** Callers as the handlers would establish them. */
export const callers = {
  /** An admin's JWT as the exchange mints it: every Tollgate scope and tollgate:admin. */
  admin: (sub = 'sa_admin'): Caller => ({
    sub,
    kind: 'service',
    roles: ['admin'],
    scopes: [...TOLLGATE_SCOPES, TOLLGATE_ADMIN_SCOPE],
    atid: 'atid_admin',
    jti: 'jti_admin',
  }),
  service: (scopes: readonly string[], sub = 'sa_ops'): Caller => ({
    sub,
    kind: 'service',
    roles: [],
    scopes,
    atid: 'atid_ops',
    jti: 'jti_ops',
  }),
  person: (
    name: string,
    roles: readonly string[] = [],
    scopes: readonly string[] = ['datasets:read'],
  ): Caller => ({
    sub: `user:dev:${name}`,
    kind: 'person',
    roles,
    scopes,
    atid: null,
    jti: `jti_${name}`,
  }),
  personal: (name: string, scopes: readonly string[] = []): Caller => ({
    sub: `user:dev:${name}`,
    kind: 'personal',
    roles: [],
    scopes,
    atid: `atid_${name}`,
    jti: `jti_${name}`,
  }),
  /** An outside workload's JWT through a trust policy, for its service account. */
  federated: (scopes: readonly string[], sub = 'sa_ci'): Caller => ({
    sub,
    kind: 'federated',
    roles: [],
    scopes,
    atid: null,
    jti: 'jti_ci',
  }),
}

export const contextOf = (caller: Caller): RequestContext => ({ caller, requestId: 'req-1' })

/** A store, a frozen clock and the defaults of `npm start`, for use-case tests. */
export const managementWorld = (env: Record<string, string> = {}) => {
  const store = new MemoryStore()
  const clock = fixedClock()
  const config = parseConfig(env)
  const deps = { store, clock, secrets: fixedSecrets(), config }
  return { store, clock, config, deps }
}
