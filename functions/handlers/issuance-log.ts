import type { TollgateClaims } from '../core/claims.js'
import { logger, metricFields } from '../wiring/observability.js'

/**
 * The issuance log (docs/design.md#jwt-exchange): one line per minted JWT,
 * never the JWT, a token or a body. Every route that mints writes it.
 *
 * @example
 * logJwtIssued(result.claims, request.sourceIp)
 */
export const logJwtIssued = (claims: TollgateClaims, sourceIp: string): void => {
  const { jti, sub, token_type, scope, exp } = claims
  logger.info('jwt issued', {
    jti,
    sub,
    token_type,
    ...(claims.token_type === 'federated'
      ? { tpid: claims.tpid, act_sub: claims.act.sub }
      : { atid: claims.atid }),
    scope,
    exp,
    source_ip: sourceIp,
    ...metricFields({ JwtsIssued: 1 }),
  })
}
