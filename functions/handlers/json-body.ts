import type { z } from 'zod'
import { TollgateError } from '../core/errors.js'

/** Bodies are small JSON objects; anything bigger is refused before parsing. */
export const MAX_BODY_BYTES = 16 * 1024

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype'])
const SHOWABLE_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,39}$/

/**
 * Reads a JSON body: size limit first, then media type, a parse that refuses
 * prototype keys, then a strict schema. Every failure is a 4xx TollgateError
 * whose detail names fields, never values.
 */
export const parseJsonBody = <T>(
  body: Buffer | undefined,
  contentType: string | undefined,
  schema: z.ZodType<T>,
): T => {
  if (body !== undefined && body.byteLength > MAX_BODY_BYTES) {
    throw new TollgateError(
      'payload_too_large',
      `The body must be at most ${MAX_BODY_BYTES} bytes.`,
    )
  }
  if (body === undefined || body.byteLength === 0) {
    throw new TollgateError('invalid_request', 'A JSON body is required.')
  }
  if (!isJsonMediaType(contentType)) {
    throw new TollgateError('invalid_request', 'Content-Type must be application/json.')
  }
  const value = parseProtected(body.toString('utf8'))
  const result = schema.safeParse(value)
  if (!result.success) {
    const problems = result.error.issues.slice(0, 5).map(describeIssue)
    throw new TollgateError('invalid_request', problems.join('; '))
  }
  return result.data
}

const isJsonMediaType = (contentType: string | undefined): boolean => {
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase()
  return mediaType === 'application/json' || (mediaType?.endsWith('+json') ?? false)
}

const parseProtected = (text: string): unknown => {
  try {
    return JSON.parse(text, (key, value: unknown) => {
      if (FORBIDDEN_KEYS.has(key)) throw new ForbiddenKeyError()
      return value
    })
  } catch (error) {
    throw new TollgateError(
      'invalid_request',
      error instanceof ForbiddenKeyError
        ? 'The body must not contain __proto__, constructor or prototype keys.'
        : 'The body is not valid JSON.',
    )
  }
}

class ForbiddenKeyError extends Error {}

const describeIssue = (issue: z.core.$ZodIssue): string => {
  const field = issue.path.length > 0 ? issue.path.join('.') : 'body'
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => (SHOWABLE_KEY.test(key) ? key : '(unnamed)'))
    return `${field}: unknown field(s) ${keys.join(', ')}`
  }
  return `${field}: ${issue.message}`
}
