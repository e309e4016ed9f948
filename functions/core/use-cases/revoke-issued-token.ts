import { parseAccessToken } from '../access-token.js'
import type { Caller, RequestContext } from '../caller.js'
import { auditEvent, jwtDenyEntry } from '../changes.js'
import { looksLikeJwt } from '../credential-kinds.js'
import { TollgateError } from '../errors.js'
import type { JwtVerifier } from '../jwt-verifier.js'
import type { AuthenticatedToken } from './authenticate-access-token.js'
import { type ChangeTokenDependencies, revokeOwnToken } from './change-token.js'

export interface RevocationDependencies extends ChangeTokenDependencies {
  readonly verifier: JwtVerifier
}

/** An authenticated OAuth client: the access token it presented, and that token's secret. */
export interface AuthenticatedClient {
  readonly token: AuthenticatedToken
  readonly secret: string
}

/**
 * What happened, for the log: `revoked` only when something was written;
 * RFC 7009 answers 200 to all of them alike.
 */
export type RevocationOutcome = 'revoked' | 'not-issued-to-client'

/**
 * `POST /oauth2/revoke` (RFC 7009): a client gives up its own access token,
 * or one JWT minted from it. Anything else — another client's token, an
 * unknown, malformed or expired one — changes nothing (§2.1, §2.2).
 *
 * Primary course:
 * 1. A JWT: verified with Tollgate's keys; if minted from the client's token
 *    (`atid`), it is denied by `jti` until it expires, with an audit record.
 * 2. An access token: only the client's own, the very secret it presented,
 *    is revoked, the way `DELETE /access-tokens/{id}` revokes it.
 * 3. A write that does not commit throws (`unavailable`): the client must
 *    then assume the token still works (§2.2.1).
 */
export const revokeIssuedToken = async (
  deps: RevocationDependencies,
  client: AuthenticatedClient,
  requestId: string | null,
  token: string,
): Promise<RevocationOutcome> => {
  const context: RequestContext = { caller: callerOf(client.token), requestId }
  if (looksLikeJwt(token)) return revokeJwt(deps, client, context, token)
  const parsed = tryParse(token)
  if (parsed === undefined || parsed.id !== client.token.record.id || token !== client.secret) {
    return 'not-issued-to-client'
  }
  await revokeOwnToken(deps, context, parsed.id)
  return 'revoked'
}

/** The client as the author of its audit records: the token's owner, through that token. */
const callerOf = ({ record, roles, scopes }: AuthenticatedToken): Caller => ({
  sub: record.owner.id,
  kind: record.kind,
  roles,
  scopes,
  atid: record.id,
  jti: null,
})

const tryParse = (token: string) => {
  try {
    return parseAccessToken(token)
  } catch {
    return undefined
  }
}

const revokeJwt = async (
  deps: RevocationDependencies,
  client: AuthenticatedClient,
  context: RequestContext,
  jwt: string,
): Promise<RevocationOutcome> => {
  let claims: Awaited<ReturnType<JwtVerifier['verify']>>
  try {
    claims = await deps.verifier.verify(jwt)
  } catch (error) {
    if (error instanceof TollgateError && error.code === 'invalid_token') {
      return 'not-issued-to-client'
    }
    throw error
  }
  // A federated JWT was issued to a trust policy, never to an access token's client.
  if (claims.token_type === 'federated' || claims.atid !== client.token.record.id) {
    return 'not-issued-to-client'
  }
  const now = deps.clock.now()
  await deps.store.commit([
    { kind: 'deny', entry: jwtDenyEntry(claims.jti, claims.exp * 1000, now) },
    { kind: 'markJwtRevoked', jti: claims.jti, expiresAt: claims.exp * 1000 },
    {
      kind: 'audit',
      event: auditEvent(
        context,
        { type: 'token', id: claims.atid },
        'jwt.revoked',
        { jti: claims.jti },
        now,
      ),
    },
  ])
  return 'revoked'
}
