import { KMSClient } from '@aws-sdk/client-kms'
import { type AwsClientOptions, awsClientConfig } from './aws-clients.js'

/**
 * One KMS client per process, with explicit timeouts and bounded retries.
 *
 * @example
 * const kms = createKmsClient({ endpoint: config.kmsEndpoint })
 */
export const createKmsClient = (options: AwsClientOptions = {}): KMSClient =>
  new KMSClient(awsClientConfig(options))
