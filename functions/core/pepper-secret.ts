import * as z from 'zod/mini'
import { TollgateError } from './errors.js'
import { randomBytes } from './node-crypto.js'

/** Fewer random bytes than this is not a pepper (docs/design.md#secrets-formats). */
export const MIN_PEPPER_BYTES = 32
const VERSION = /^[A-Za-z0-9._-]{1,64}$/
const BASE64URL = /^[A-Za-z0-9_-]+$/

/** The pepper secret: the version new hashes use, and every version a record may name. */
export interface PepperSecret {
  readonly current: string
  readonly versions: ReadonlyMap<string, Uint8Array>
}

const schema = z.object({
  current: z.string(),
  versions: z.record(z.string(), z.string()),
})

// A fixed message: the text is the pepper, and parsers quote their input.
const invalid = (): TollgateError =>
  new TollgateError('internal', 'The pepper secret is not valid.')

/**
 * Parses `{"current": "<version>", "versions": {"<version>": "<base64url>"}}`:
 * version names are short and plain, each pepper canonical base64url of at
 * least 32 bytes, and `current` one of the versions. Errors name no value.
 *
 * @example
 * const { current, versions } = parsePepperSecret(secretString)
 */
export const parsePepperSecret = (text: string): PepperSecret => {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw invalid()
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success) throw invalid()
  const versions = new Map<string, Uint8Array>()
  for (const [version, encoded] of Object.entries(parsed.data.versions)) {
    const key = Buffer.from(encoded, 'base64url')
    const canonical = BASE64URL.test(encoded) && key.toString('base64url') === encoded
    if (!VERSION.test(version) || !canonical || key.length < MIN_PEPPER_BYTES) throw invalid()
    versions.set(version, key)
  }
  if (!versions.has(parsed.data.current)) throw invalid()
  return { current: parsed.data.current, versions }
}

/**
 * A first pepper secret: version `1` (the version the local key file's pepper
 * has too), 32 random bytes.
 *
 * @example
 * await createSecret({ Name: pepperSecretId, SecretString: newPepperSecret() })
 */
export const newPepperSecret = (): string =>
  JSON.stringify({ current: '1', versions: { '1': randomBytes(32).toString('base64url') } })
