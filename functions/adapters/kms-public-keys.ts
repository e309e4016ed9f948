import { GetPublicKeyCommand, type KMSClient } from '@aws-sdk/client-kms'
import type { JwtAlg } from '../core/ports.js'
import { type FetchKmsPublicKey, type KmsPublicKey, toKmsPublicKey } from './kms-public-jwk.js'

/**
 * Reads a KMS key's public half (GetPublicKey) with the SDK client and turns
 * its SPKI DER into a JWK (`toKmsPublicKey`, which throws
 * UnusableKmsKeyError for a key we cannot use); SDK errors (outage, access,
 * disabled, not found) are thrown as they are.
 *
 * @example
 * const { keyArn, jwk } = await fetchKmsPublicKey(kms, 'alias/tollgate-signing', 'ES256')
 */
export const fetchKmsPublicKey = async (
  kms: KMSClient,
  keyId: string,
  alg: JwtAlg,
): Promise<KmsPublicKey> =>
  toKmsPublicKey(await kms.send(new GetPublicKeyCommand({ KeyId: keyId })), alg)

/**
 * `fetchKmsPublicKey` with its client and algorithm bound, for a key set.
 *
 * @example
 * const keySet = createKmsKeySet({ fetchPublicKey: kmsPublicKeyFetcher(kms, 'RS256'), … })
 */
export const kmsPublicKeyFetcher =
  (kms: KMSClient, alg: JwtAlg): FetchKmsPublicKey =>
  (keyId) =>
    fetchKmsPublicKey(kms, keyId, alg)
