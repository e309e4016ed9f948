import * as z from 'zod/mini'
import { isHttpUrl } from './env-rules.js'
import { PERMISSION_NAME } from './names.js'
import { ISSUER_ID, type TrustedIssuer } from './trusted-issuer.js'

export {
  DEV_ISSUER_ID,
  devAudienceOf,
  devIssuerOf,
  devTrustedIssuer,
  ISSUER_ID,
  type TrustedIssuer,
  trustedIssuersProblem,
} from './trusted-issuer.js'

/** TRUSTED_ISSUERS as configured: its schema, and the trusted issuers it lists. */

const claimName = z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_.:/-]{0,127}$/))

export const trustedIssuersSchema = z
  .array(
    z.strictObject({
      id: z.string().check(z.regex(ISSUER_ID)),
      issuer: z.string().check(z.refine(isHttpUrl)),
      jwks_uri: z.string().check(z.refine(isHttpUrl)),
      audience: z.string().check(z.minLength(1), z.maxLength(256)),
      client_id: z.optional(z.string().check(z.minLength(1), z.maxLength(256))),
      subject_claim: z.optional(claimName),
      roles_claim: z.optional(claimName),
      role_map: z.optional(
        z.record(
          z.string().check(z.minLength(1), z.maxLength(256)),
          z.string().check(z.regex(PERMISSION_NAME)),
        ),
      ),
    }),
  )
  .check(z.maxLength(20))

/** One entry of TRUSTED_ISSUERS, as its JSON is written (docs/people.md). */
export type TrustedIssuerEntry = z.infer<typeof trustedIssuersSchema>[number]

export const toTrustedIssuers = (
  entries: z.infer<typeof trustedIssuersSchema>,
): readonly TrustedIssuer[] =>
  entries.map((entry) => ({
    id: entry.id,
    issuer: entry.issuer,
    jwksUri: entry.jwks_uri,
    audience: entry.audience,
    clientId: entry.client_id,
    subjectClaim: entry.subject_claim ?? 'sub',
    rolesClaim: entry.roles_claim,
    roleMap: entry.role_map ?? {},
  }))
