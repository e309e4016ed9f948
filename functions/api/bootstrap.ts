import * as z from 'zod/mini'
import { ERROR_CODES } from '../core/errors.js'
import { serviceAccount } from './schemas.js'

/**
 * The bootstrap function's answer (handlers/bootstrap.ts): what `aws lambda
 * invoke` writes to its outfile and `tollgate bootstrap --function` checks
 * and prints. Not an HTTP route: Lambda's Invoke API carries it, so it is
 * no part of the OpenAPI document.
 */
export const bootstrapAnswer = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    /** Minted on `{"recover": true}`, audited as `bootstrap.recovery`. */
    recovery: z.boolean(),
    service_account: serviceAccount,
    access_token: z.object({
      id: z.string(),
      name: z.string(),
      expires_at: z.nullable(z.string()),
    }),
    /** The access token itself: shown once, stored nowhere. */
    token: z.string(),
  }),
  z.object({
    ok: z.literal(false),
    code: z.enum(ERROR_CODES),
    /** What happened and what to do; never token material. */
    message: z.string(),
  }),
])

export type BootstrapAnswer = z.infer<typeof bootstrapAnswer>
