import * as z from 'zod/mini'
import { TollgateError } from '../core/errors.js'
import { MAX_BODY_BYTES } from './json-body.js'

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })
const SHOWABLE_NAME = /^[a-z_]{1,40}$/

/**
 * Reads an `application/x-www-form-urlencoded` body (RFC 6749 §3.2), as the
 * OAuth endpoints take it: size limit first, then media type, strict UTF-8,
 * a parameter sent twice refused (§3.1), one sent empty taken as omitted
 * (§3.1), then the route's schema (unknown parameters are dropped, §3.2).
 * Failures are `invalid_request` naming parameters, never values.
 *
 * @example
 * const form = parseFormBody(request.body, request.headers['content-type'], api.oauthTokenRequest)
 */
export const parseFormBody = <T>(
  body: Buffer | undefined,
  contentType: string | undefined,
  schema: z.core.$ZodType<T>,
): T => {
  if (body !== undefined && body.byteLength > MAX_BODY_BYTES) {
    throw new TollgateError(
      'payload_too_large',
      `The body must be at most ${MAX_BODY_BYTES} bytes.`,
    )
  }
  if (contentType?.split(';')[0]?.trim().toLowerCase() !== 'application/x-www-form-urlencoded') {
    throw new TollgateError(
      'invalid_request',
      'Content-Type must be application/x-www-form-urlencoded.',
    )
  }
  // No prototype: a parameter named __proto__ is a parameter like any other.
  const values: Record<string, string> = Object.create(null)
  const seen = new Set<string>()
  for (const [name, value] of new URLSearchParams(decodeUtf8(body))) {
    if (seen.has(name)) {
      throw new TollgateError(
        'invalid_request',
        `${SHOWABLE_NAME.test(name) ? name : 'A parameter'} is sent more than once.`,
      )
    }
    seen.add(name)
    if (value !== '') values[name] = value
  }
  const result = z.safeParse(schema, values)
  if (!result.success) {
    const names = [...new Set(result.error.issues.map((issue) => String(issue.path[0] ?? 'body')))]
    throw new TollgateError(
      'invalid_request',
      `Missing or invalid parameter(s): ${names.join(', ')}.`,
    )
  }
  return result.data
}

const decodeUtf8 = (body: Buffer | undefined): string => {
  if (body === undefined) return ''
  try {
    return UTF8.decode(body)
  } catch {
    throw new TollgateError('invalid_request', 'The body is not valid UTF-8.')
  }
}
