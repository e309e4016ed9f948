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
 * gets `explicitEndpointConfig`. No SDK is imported here: each client has its own
 * module (kms-client.ts, secrets-manager-client.ts), so a function that
 * needs one never loads the other.
 *
 * @example
 * const kms = new KMSClient(awsClientConfig({ endpoint: config.kmsEndpoint }))
 */
export const awsClientConfig = (options: AwsClientOptions) => ({
  maxAttempts: options.maxAttempts ?? 3,
  requestHandler: {
    connectionTimeout: options.connectionTimeoutMs ?? 1_000,
    requestTimeout: options.requestTimeoutMs ?? 3_000,
    // Without this, @smithy/node-http-handler only logs a warning when the
    // request timeout passes and keeps waiting: the timeout would be no bound.
    throwOnRequestTimeout: true,
  },
  ...explicitEndpointConfig(options.endpoint),
})

const LOOPBACK_HOSTS = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/

/**
 * The settings an explicit endpoint needs: always a region; and, for an
 * emulator on this machine (DynamoDB Local, LocalStack on localhost, the
 * tests' fake) when no credentials are configured, placeholder credentials,
 * since emulators accept any. A remote endpoint keeps the SDK's own
 * credential chain (profiles, SSO, roles): placeholders there would only fail.
 *
 * @example
 * new DynamoDBClient({ ...explicitEndpointConfig('http://127.0.0.1:8000') })
 */
export const explicitEndpointConfig = (endpoint: string | undefined) => {
  if (endpoint === undefined) return {}
  const host = URL.parse(endpoint)?.hostname ?? ''
  const configured =
    process.env.AWS_ACCESS_KEY_ID !== undefined || process.env.AWS_PROFILE !== undefined
  return {
    endpoint,
    region: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(LOOPBACK_HOSTS.test(host) && !configured
      ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  }
}
