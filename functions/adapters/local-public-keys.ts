import { createRequire } from 'node:module'
import { join } from 'node:path'
import { jwkThumbprint } from '../core/jwk-thumbprint.js'
import type { JwtAlg, KeySet, PublicJwk } from '../core/ports.js'

/** The key file under DATA_DIR (./local-key-file.ts writes it). */
const KEY_FILE_NAME = 'keys.json'

/**
 * node:fs as CommonJS has it: its ES module facade would load
 * node:fs/promises too (see ./builtin.ts, not imported here so that this
 * module, on the authorizer's cold start, shares no chunk with lazy ones).
 */
const fs = (process.getBuiltinModule?.('node:fs') ??
  createRequire(import.meta.url)('node:fs')) as typeof import('node:fs')

/** The public keys a verifier needs from the key file: ours, and the development issuer's. */
export interface LocalPublicKeys {
  readonly keySet: KeySet
  /** Undefined in a file that has no development issuer key yet. */
  readonly devIssuer: KeySet | undefined
}

const notAKeyFile = (path: string) => new Error(`${path} is not a Tollgate key file`)

/**
 * The public halves of the key file's keys, for a process that only
 * verifies (the authorizer): read at once, with neither the private keys
 * made into KeyObjects nor the pepper looked at, so a cold start pays for
 * a file read and two thumbprints. Fails, as `readLocalKeys` does, when the
 * file or the algorithm's key is missing, so a caller fails closed; a
 * malformed key fails when the verifier loads it.
 *
 * @example
 * const { keySet, devIssuer } = readLocalPublicKeys('.data', 'RS256')
 */
export const readLocalPublicKeys = (dataDir: string, alg: JwtAlg): LocalPublicKeys => {
  const path = join(dataDir, KEY_FILE_NAME)
  let text: string | undefined
  try {
    text = fs.readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  const file = text === undefined ? undefined : parseObject(text)
  if (text !== undefined && file === undefined) throw notAKeyFile(path)
  const signingKeys = file?.signing_keys
  const signing = isObject(signingKeys) ? signingKeys[alg] : undefined
  if (signing === undefined) {
    throw new Error(
      `${path} has no ${alg} key: start Tollgate (npm start) with this DATA_DIR first`,
    )
  }
  const signingJwk = publicJwkOf(signing, alg)
  const devIssuerJwk =
    file?.dev_issuer === undefined ? undefined : publicJwkOf(file.dev_issuer, 'RS256')
  if (signingJwk === null || devIssuerJwk === null) throw notAKeyFile(path)
  return {
    keySet: { publicKeys: async () => [signingJwk] },
    devIssuer: devIssuerJwk === undefined ? undefined : { publicKeys: async () => [devIssuerJwk] },
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const parseObject = (text: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(text)
    return isObject(value) ? value : undefined
  } catch {
    // A fixed message: JSON.parse's own would quote the file, pepper and keys included.
    return undefined
  }
}

/**
 * The public members of a private JWK, as `createPublicKey(…).export()`
 * gives them, with `kid` (the RFC 7638 thumbprint), `alg` and `use`; null
 * when the members are not there.
 */
const publicJwkOf = (jwk: unknown, alg: JwtAlg): PublicJwk | null => {
  if (!isObject(jwk)) return null
  const { kty, n, e, crv, x, y } = jwk
  const members =
    alg === 'RS256'
      ? kty === 'RSA' && typeof n === 'string' && typeof e === 'string'
        ? { kty, n, e }
        : undefined
      : kty === 'EC' && crv === 'P-256' && typeof x === 'string' && typeof y === 'string'
        ? { kty, x, y, crv }
        : undefined
  return members === undefined ? null : { ...members, kid: jwkThumbprint(members), alg, use: 'sig' }
}
