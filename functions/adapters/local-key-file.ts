import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  randomBytes,
  sign,
} from 'node:crypto'
import { link, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { JWK } from 'jose'
import * as z from 'zod/mini'
import { jwkThumbprint } from '../core/jwk-thumbprint.js'
import type { KeySet, PublicJwk, Secrets, Signer } from '../core/ports.js'

type Alg = Signer['alg']

/**
 * The key file under DATA_DIR, as ./local-public-keys.ts reads it too (its
 * test reads with one what the other wrote). Not imported from there: the
 * authorizer's cold start would then load that module as a chunk of its own.
 */
const KEY_FILE_NAME = 'keys.json'

/** The key file holds one pepper, which never rotates: it is version 1 of every record it hashed. */
const LOCAL_PEPPER_VERSION = '1'
const PRIVATE_FILE_MODE = 0o600

const keyFileSchema = z.object({
  pepper: z.string().check(z.minLength(43)),
  signing_keys: z.partialRecord(z.enum(['RS256', 'ES256']), z.looseObject({ kty: z.string() })),
  /** The development issuer's own RS256 key (local mode only: it signs people in). */
  dev_issuer: z.optional(z.looseObject({ kty: z.string() })),
})
type KeyFile = z.infer<typeof keyFileSchema>
type PrivateJwk = { kty: string; [member: string]: unknown }

export interface LocalKeys {
  /** The signing key's RFC 7638 thumbprint. */
  readonly kid: string
  readonly signer: Signer
  /** The development issuer's key; undefined in a read-only file that has none yet. */
  readonly devIssuer: { readonly signer: Signer; readonly keySet: KeySet } | undefined
  readonly keySet: KeySet
  readonly secrets: Secrets
}

/**
 * Dev and test key material in `<dataDir>/keys.json` (mode 0600): the pepper
 * and one private signing key per algorithm, created on first use and stable
 * afterwards, so tokens and JWTs survive restarts.
 *
 * @example
 * const { signer, keySet, secrets } = await loadLocalKeys('.data', 'RS256')
 */
export const loadLocalKeys = async (dataDir: string, alg: Alg): Promise<LocalKeys> => {
  await mkdir(dataDir, { recursive: true, mode: 0o700 })
  const path = join(dataDir, KEY_FILE_NAME)
  let file = await readKeyFile(path)
  if (file === undefined) {
    file = {
      pepper: randomBytes(32).toString('base64url'),
      signing_keys: { [alg]: generatePrivateJwk(alg) },
      dev_issuer: generatePrivateJwk('RS256'),
    }
    if (!(await createExclusive(path, file))) file = await readKeyFile(path)
  }
  if (file === undefined) throw new Error(`${path} could not be read after creation`)
  if (file.signing_keys[alg] === undefined || file.dev_issuer === undefined) {
    file.signing_keys[alg] ??= generatePrivateJwk(alg)
    file.dev_issuer ??= generatePrivateJwk('RS256')
    await replace(path, file)
  }
  return keysFromFile(file, alg)
}

/**
 * The same keys, read-only: for processes that must never mint key material
 * (the authorizer; a Lambda's code directory is read-only anyway). Fails when
 * the file or the algorithm's key is missing, so a caller fails closed.
 *
 * @example
 * const { keySet } = await readLocalKeys('.data', 'RS256')
 */
export const readLocalKeys = async (dataDir: string, alg: Alg): Promise<LocalKeys> => {
  const path = join(dataDir, KEY_FILE_NAME)
  const file = await readKeyFile(path)
  if (file?.signing_keys[alg] === undefined) {
    throw new Error(
      `${path} has no ${alg} key: start Tollgate (npm start) with this DATA_DIR first`,
    )
  }
  return keysFromFile(file, alg)
}

const keysFromFile = async (file: KeyFile, alg: Alg): Promise<LocalKeys> => {
  const signing = await keyPairOf(file.signing_keys[alg] as PrivateJwk, alg)
  const devIssuer =
    file.dev_issuer === undefined
      ? undefined
      : await keyPairOf(file.dev_issuer as PrivateJwk, 'RS256')
  const pepper = { version: LOCAL_PEPPER_VERSION, key: Buffer.from(file.pepper, 'base64url') }
  return {
    kid: signing.kid,
    signer: signing.signer,
    devIssuer,
    keySet: signing.keySet,
    secrets: {
      currentPepper: async () => pepper,
      pepperOf: async (version) => (version === pepper.version ? pepper.key : undefined),
    },
  }
}

const keyPairOf = async (jwk: PrivateJwk, alg: Alg) => {
  const privateKey = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' })
  const publicPart = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK
  const publicJwk: PublicJwk = {
    ...publicPart,
    // RFC 7638 with node:crypto: jose's would load WebCrypto at every cold start.
    kid: jwkThumbprint(publicPart),
    alg,
    use: 'sig',
  }
  return {
    kid: publicJwk.kid,
    signer: createNodeSigner(alg, publicJwk.kid, privateKey),
    keySet: { publicKeys: async () => [publicJwk] } satisfies KeySet,
  }
}

/** Signs with node:crypto off the main thread; ES256 in JOSE's r||s form. */
const createNodeSigner = (alg: Alg, kid: string, key: KeyObject): Signer => {
  const keyWithEncoding = alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' as const } : key
  return {
    alg,
    sign: (signingInputFor) => {
      const signingInput = signingInputFor(kid)
      return new Promise((resolve, reject) => {
        sign('sha256', signingInput, keyWithEncoding, (error, signature) =>
          error ? reject(error) : resolve({ kid, signingInput, signature }),
        )
      })
    },
  }
}

const generatePrivateJwk = (alg: Alg): PrivateJwk => {
  const { privateKey } =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' })
  return privateKey.export({ format: 'jwk' }) as PrivateJwk
}

const readKeyFile = async (path: string): Promise<KeyFile | undefined> => {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  const parsed = keyFileSchema.safeParse(parseJson(text))
  // A fixed message: JSON.parse's own would quote the file, pepper and keys included.
  if (!parsed.success) throw new Error(`${path} is not a Tollgate key file`)
  return parsed.data
}

const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/**
 * Creates the file only if absent, and only whole: the content is written to
 * a private temporary file first and then linked into place, which fails if
 * another process got there first. A concurrent reader never sees half a file.
 */
const createExclusive = async (path: string, file: KeyFile): Promise<boolean> => {
  const temporary = await writeTemporary(path, file)
  try {
    await link(temporary, path)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  } finally {
    await rm(temporary, { force: true })
  }
}

const replace = async (path: string, file: KeyFile): Promise<void> => {
  await rename(await writeTemporary(path, file), path)
}

const writeTemporary = async (path: string, file: KeyFile): Promise<string> => {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  await writeFile(temporary, JSON.stringify(file, null, 2), { mode: PRIVATE_FILE_MODE, flag: 'wx' })
  return temporary
}
