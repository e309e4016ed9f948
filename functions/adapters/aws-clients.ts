import { KMSClient } from '@aws-sdk/client-kms'
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'

/** Limits for one SDK client; the defaults suit a Lambda answering an HTTP request. */
export interface AwsClientOptions {
  /** Explicit endpoint (LocalStack, the tests' fake); absent means the SDK's own resolution. */
  readonly endpoint?: string | undefined
  readonly connectionTimeoutMs?: number
  readonly requestTimeoutMs?: number
  /** Attempts including the first; the SDK backs off between them. */
  readonly maxAttempts?: number
}

/**
 * Client settings shared by the KMS and Secrets Manager clients, as for
 * DynamoDB (dynamodb-client.ts): short timeouts with few retries turn an
 * outage into a quick 503 instead of a Lambda timeout. An explicit endpoint
 * always gets a region, and placeholder credentials when none are set, since
 * emulators accept any.
 */
const clientConfig = (options: AwsClientOptions) => ({
  maxAttempts: options.maxAttempts ?? 3,
  requestHandler: {
    connectionTimeout: options.connectionTimeoutMs ?? 1_000,
    requestTimeout: options.requestTimeoutMs ?? 3_000,
    // Without this, @smithy/node-http-handler only logs a warning when the
    // request timeout passes and keeps waiting: the timeout would be no bound.
    throwOnRequestTimeout: true,
  },
  ...(options.endpoint === undefined
    ? {}
    : {
        endpoint: options.endpoint,
        region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
        ...(process.env.AWS_ACCESS_KEY_ID === undefined
          ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
          : {}),
      }),
})

/**
 * One KMS client per process, with explicit timeouts and bounded retries.
 *
 * @example
 * const kms = createKmsClient({ endpoint: config.kmsEndpoint })
 */
export const createKmsClient = (options: AwsClientOptions = {}): KMSClient =>
  new KMSClient(clientConfig(options))

/**
 * One Secrets Manager client per process, with explicit timeouts and bounded retries.
 *
 * @example
 * const secretsManager = createSecretsManagerClient({ endpoint: config.secretsManagerEndpoint })
 */
export const createSecretsManagerClient = (options: AwsClientOptions = {}): SecretsManagerClient =>
  new SecretsManagerClient(clientConfig(options))
