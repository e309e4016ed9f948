import * as z from 'zod/mini'
import { TollgateError } from '../core/errors.js'

/** Bodies are small JSON objects; anything bigger is refused before parsing. */
export const MAX_BODY_BYTES = 16 * 1024

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype'])
const SHOWABLE_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,39}$/

/** Fatal: bytes that are not UTF-8 are refused, not turned into U+FFFD and read as a token. */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

/**
 * Reads a JSON body: size limit first, then media type, strict UTF-8, a parse
 * that refuses prototype keys at any depth, then a strict schema. Every
 * failure is a 4xx TollgateError whose detail names fields, never values.
 * Nesting depth is the schema's business: JSON nested thousands deep is still
 * JSON, refused (or not) by the schema with the field it is in.
 */
export const parseJsonBody = <T>(
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
  if (body === undefined || body.byteLength === 0) {
    throw new TollgateError('invalid_request', 'A JSON body is required.')
  }
  if (!isJsonMediaType(contentType)) {
    throw new TollgateError('invalid_request', 'Content-Type must be application/json.')
  }
  const value = parseProtected(decodeUtf8(body))
  const result = z.safeParse(schema, value)
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

const decodeUtf8 = (body: Buffer): string => {
  try {
    return UTF8.decode(body)
  } catch {
    throw new TollgateError('invalid_request', 'The body is not valid UTF-8.')
  }
}

const parseProtected = (text: string): unknown => {
  let value: unknown
  try {
    // No reviver: V8 parses any depth, but a reviver recurses and overflows the stack.
    value = JSON.parse(text)
  } catch {
    throw new TollgateError('invalid_request', 'The body is not valid JSON.')
  }
  if (hasForbiddenKey(value)) {
    throw new TollgateError(
      'invalid_request',
      'The body must not contain __proto__, constructor or prototype keys.',
    )
  }
  return value
}

/** Walks the parsed value with a worklist, not recursion, so no depth can overflow the stack. */
const hasForbiddenKey = (root: unknown): boolean => {
  const pending: unknown[] = [root]
  while (pending.length > 0) {
    const value = pending.pop()
    if (typeof value !== 'object' || value === null) continue
    for (const [key, child] of Object.entries(value)) {
      if (FORBIDDEN_KEYS.has(key)) return true
      pending.push(child)
    }
  }
  return false
}

const describeIssue = (issue: z.core.$ZodIssue): string => {
  const field = issue.path.length > 0 ? issue.path.join('.') : 'body'
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => (SHOWABLE_KEY.test(key) ? key : '(unnamed)'))
    return `${field}: unknown field(s) ${keys.join(', ')}`
  }
  return `${field}: ${issue.message}`
}
