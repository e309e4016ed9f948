import { TollgateError } from './errors.js'
import { MAX_CURSOR_LENGTH } from './input-lengths.js'
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from './node-crypto.js'

const IV_BYTES = 12
const TAG_BYTES = 16

/**
 * What a cursor is bound to: who asked and with which filters. A cursor
 * replayed by another caller, or with other filters, does not open.
 */
export interface CursorBinding {
  readonly caller: string
  readonly query: Readonly<Record<string, string | number | undefined>>
}

/** The cursor key: derived from the pepper, so no new secret has to be deployed for it. */
export const cursorKey = (pepper: Uint8Array): Buffer =>
  Buffer.from(hkdfSync('sha256', pepper, new Uint8Array(0), 'tollgate list cursor v1', 32))

/**
 * Seals a list position (a store's opaque page key) into an opaque cursor:
 * AES-256-GCM, with the binding as additional data. Clients can neither read
 * the table key inside nor forge one.
 *
 * @example
 * const cursor = sealCursor(key, { caller: 'sa_1', query: { owner: 'sa_2' } }, page.next)
 */
export const sealCursor = (key: Uint8Array, binding: CursorBinding, position: unknown): string => {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, iv)
  cipher.setAAD(bindingBytes(binding))
  const sealed = Buffer.concat([cipher.update(JSON.stringify(position), 'utf8'), cipher.final()])
  return Buffer.concat([iv, sealed, cipher.getAuthTag()]).toString('base64url')
}

/** Opens a cursor sealed for this binding, or throws `invalid_request`. */
export const openCursor = (key: Uint8Array, binding: CursorBinding, cursor: string): unknown => {
  const bytes =
    cursor.length <= MAX_CURSOR_LENGTH ? Buffer.from(cursor, 'base64url') : Buffer.alloc(0)
  if (bytes.length <= IV_BYTES + TAG_BYTES || bytes.toString('base64url') !== cursor)
    throw invalid()
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, IV_BYTES))
    decipher.setAAD(bindingBytes(binding))
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES))
    const text = Buffer.concat([
      decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]).toString('utf8')
    return JSON.parse(text)
  } catch {
    throw invalid()
  }
}

const invalid = (): TollgateError =>
  new TollgateError(
    'invalid_request',
    'cursor is not valid for this caller and these filters; start from the first page.',
  )

const bindingBytes = (binding: CursorBinding): Buffer => {
  const query = Object.entries(binding.query)
    .filter(([, value]) => value !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : 1))
  return Buffer.from(JSON.stringify([binding.caller, query]), 'utf8')
}
