import {
  constants,
  createHash,
  generateKeyPairSync,
  type KeyObject,
  privateEncrypt,
  randomUUID,
} from 'node:crypto'
import { signP256Digest } from './p256.js'

/** What a JSON 1.1 operation answers: a status and a JSON body. */
export interface FakeAnswer {
  readonly status: number
  readonly body: Record<string, unknown>
}

export const awsError = (status: number, type: string, message: string): FakeAnswer => ({
  status,
  body: { __type: type, message },
})

export type FakeKeySpec =
  | 'RSA_2048'
  | 'RSA_3072'
  | 'ECC_NIST_P256'
  | 'ECC_NIST_P384'
  | 'SYMMETRIC_DEFAULT'
export type FakeKeyState = 'Enabled' | 'Disabled' | 'PendingDeletion'

interface FakeKey {
  readonly keyId: string
  readonly arn: string
  readonly spec: FakeKeySpec
  readonly createdAt: number
  readonly privateKey?: KeyObject
  readonly publicKey?: KeyObject
  state: FakeKeyState
  corruptPublicKey: boolean
}

const ACCOUNT = '000000000000'
const REGION = 'us-east-1'
const RSA_ALGORITHMS = [
  'RSASSA_PSS_SHA_256',
  'RSASSA_PSS_SHA_384',
  'RSASSA_PSS_SHA_512',
  'RSASSA_PKCS1_V1_5_SHA_256',
  'RSASSA_PKCS1_V1_5_SHA_384',
  'RSASSA_PKCS1_V1_5_SHA_512',
]
const SIGNING_ALGORITHMS: Record<FakeKeySpec, readonly string[]> = {
  RSA_2048: RSA_ALGORITHMS,
  RSA_3072: RSA_ALGORITHMS,
  ECC_NIST_P256: ['ECDSA_SHA_256'],
  ECC_NIST_P384: ['ECDSA_SHA_384'],
  SYMMETRIC_DEFAULT: [],
}
/** DER DigestInfo prefix for SHA-256 (RFC 8017 §9.2 note 1). */
const SHA256_DIGEST_INFO = Buffer.from('3031300d060960864801650304020105000420', 'hex')

/**
 * The parts of KMS Tollgate uses, on real node:crypto keys: CreateKey,
 * DescribeKey, GetPublicKey (SPKI DER) and Sign (RSASSA-PKCS1-v1_5 and
 * ECDSA, RAW or DIGEST messages; ECDSA answers in DER like KMS).
 */
export class FakeKms {
  readonly #keys = new Map<string, FakeKey>()
  readonly #aliases = new Map<string, string>()
  #acceptSignature: ((der: Buffer) => boolean) | undefined
  /** The DER (or RSA) signature of the last Sign call. */
  lastSignature: Buffer | undefined
  /** Every Sign request's parameters (the message only by length). */
  readonly signRequests: Array<{
    keyId: unknown
    messageType: unknown
    signingAlgorithm: unknown
    messageLength: number
  }> = []

  /** Makes a key as `CreateKey` would; returns its id and ARN. */
  createKey(spec: FakeKeySpec): { keyId: string; arn: string } {
    const keyId = randomUUID()
    const arn = `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}`
    const pair =
      spec === 'SYMMETRIC_DEFAULT'
        ? undefined
        : spec.startsWith('RSA')
          ? generateKeyPairSync('rsa', { modulusLength: spec === 'RSA_2048' ? 2048 : 3072 })
          : generateKeyPairSync('ec', {
              namedCurve: spec === 'ECC_NIST_P256' ? 'P-256' : 'P-384',
            })
    this.#keys.set(keyId, {
      keyId,
      arn,
      spec,
      createdAt: Date.now(),
      ...(pair ?? {}),
      state: 'Enabled',
      corruptPublicKey: false,
    })
    return { keyId, arn }
  }

  createAlias(alias: string, keyId: string): void {
    this.#aliases.set(alias, keyId)
  }

  setState(keyId: string, state: FakeKeyState): void {
    this.#require(keyId).state = state
  }

  /** GetPublicKey answers bytes that are not an SPKI. */
  corruptPublicKey(keyId: string): void {
    this.#require(keyId).corruptPublicKey = true
  }

  /** The key's public half, to check signatures independently of KMS. */
  publicKeyOf(keyId: string): KeyObject {
    const key = this.#require(keyId).publicKey
    if (key === undefined) throw new Error('a symmetric key has no public key')
    return key
  }

  /**
   * Sign keeps re-signing (fresh nonce) until the DER signature passes
   * `accept`, so a test can ask for r or s shorter than 32 bytes, or with
   * the high bit set, and get it at once.
   */
  preferSignatures(accept: ((der: Buffer) => boolean) | undefined): void {
    this.#acceptSignature = accept
  }

  handle(operation: string, input: Record<string, unknown>): FakeAnswer {
    if (operation === 'CreateKey') {
      const spec = (input.KeySpec ?? 'SYMMETRIC_DEFAULT') as FakeKeySpec
      return {
        status: 200,
        body: { KeyMetadata: this.#metadata(this.#require(this.createKey(spec).keyId)) },
      }
    }
    const key = this.#resolve(input.KeyId)
    if (key === undefined)
      return awsError(400, 'NotFoundException', `Key '${String(input.KeyId)}' does not exist`)
    if (operation === 'DescribeKey')
      return { status: 200, body: { KeyMetadata: this.#metadata(key) } }
    if (key.state === 'Disabled')
      return awsError(400, 'DisabledException', `${key.arn} is disabled.`)
    if (key.state === 'PendingDeletion') {
      return awsError(400, 'KMSInvalidStateException', `${key.arn} is pending deletion.`)
    }
    if (operation === 'GetPublicKey') return this.#getPublicKey(key)
    if (operation === 'Sign') return this.#sign(key, input)
    return awsError(400, 'UnknownOperationException', `${operation} is not faked`)
  }

  #getPublicKey(key: FakeKey): FakeAnswer {
    if (key.publicKey === undefined) {
      return awsError(400, 'UnsupportedOperationException', `${key.arn} is not asymmetric`)
    }
    const der = key.corruptPublicKey
      ? Buffer.from('not a public key')
      : key.publicKey.export({ format: 'der', type: 'spki' })
    return {
      status: 200,
      body: {
        KeyId: key.arn,
        PublicKey: der.toString('base64'),
        KeySpec: key.spec,
        CustomerMasterKeySpec: key.spec,
        KeyUsage: 'SIGN_VERIFY',
        SigningAlgorithms: SIGNING_ALGORITHMS[key.spec],
      },
    }
  }

  #sign(key: FakeKey, input: Record<string, unknown>): FakeAnswer {
    const algorithm = String(input.SigningAlgorithm)
    if (key.privateKey === undefined || !SIGNING_ALGORITHMS[key.spec].includes(algorithm)) {
      return awsError(400, 'InvalidKeyUsageException', `${algorithm} is not valid for ${key.arn}`)
    }
    const message = Buffer.from(String(input.Message ?? ''), 'base64')
    this.signRequests.push({
      keyId: input.KeyId,
      messageType: input.MessageType,
      signingAlgorithm: algorithm,
      messageLength: message.length,
    })
    const digest =
      input.MessageType === 'DIGEST' ? message : createHash('sha256').update(message).digest()
    if (!algorithm.endsWith('SHA_256') || digest.length !== 32) {
      return awsError(400, 'ValidationException', 'Digest is invalid length for algorithm')
    }
    let signature: Buffer
    if (algorithm === 'RSASSA_PKCS1_V1_5_SHA_256') {
      const padded = { key: key.privateKey, padding: constants.RSA_PKCS1_PADDING }
      signature = privateEncrypt(padded, Buffer.concat([SHA256_DIGEST_INFO, digest]))
    } else if (algorithm === 'ECDSA_SHA_256') {
      const d = Buffer.from(String(key.privateKey.export({ format: 'jwk' }).d), 'base64url')
      signature = signP256Digest(digest, d, this.#acceptSignature)
    } else {
      return awsError(400, 'UnsupportedOperationException', `${algorithm} is not faked`)
    }
    this.lastSignature = signature
    return {
      status: 200,
      body: {
        KeyId: key.arn,
        Signature: signature.toString('base64'),
        SigningAlgorithm: algorithm,
      },
    }
  }

  #metadata(key: FakeKey) {
    return {
      KeyId: key.keyId,
      Arn: key.arn,
      AWSAccountId: ACCOUNT,
      CreationDate: key.createdAt / 1000,
      Enabled: key.state === 'Enabled',
      KeyState: key.state,
      KeyUsage: key.spec === 'SYMMETRIC_DEFAULT' ? 'ENCRYPT_DECRYPT' : 'SIGN_VERIFY',
      KeySpec: key.spec,
      CustomerMasterKeySpec: key.spec,
      SigningAlgorithms: SIGNING_ALGORITHMS[key.spec],
      Origin: 'AWS_KMS',
      KeyManager: 'CUSTOMER',
    }
  }

  /** Key id, key ARN, alias name or alias ARN, as KMS accepts. */
  #resolve(id: unknown): FakeKey | undefined {
    if (typeof id !== 'string') return undefined
    const bare = id.replace(/^arn:aws:kms:[^:]+:\d+:/, '')
    const keyId = bare.startsWith('alias/') ? this.#aliases.get(bare) : bare.replace(/^key\//, '')
    return keyId === undefined ? undefined : this.#keys.get(keyId)
  }

  #require(keyId: string): FakeKey {
    const key = this.#resolve(keyId)
    if (key === undefined) throw new Error(`no fake key ${keyId}`)
    return key
  }

  /** Whether a key id names a key that can decrypt (for secrets encrypted with it). */
  canDecrypt(keyId: string): boolean {
    return this.#resolve(keyId)?.state === 'Enabled'
  }
}
