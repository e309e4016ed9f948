import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import { type AwsClientOptions, awsClientConfig } from './aws-clients.js'

/**
 * One Secrets Manager client per process, with explicit timeouts and bounded retries.
 *
 * @example
 * const secretsManager = createSecretsManagerClient({ endpoint: config.secretsManagerEndpoint })
 */
export const createSecretsManagerClient = (options: AwsClientOptions = {}): SecretsManagerClient =>
  new SecretsManagerClient(awsClientConfig(options))
