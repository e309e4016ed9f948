import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { KMSClient } from '@aws-sdk/client-kms'
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'
import type { AwsClientOptions } from '../../functions/adapters/aws-clients.js'
import { createKmsClient } from '../../functions/adapters/kms-client.js'
import { createSecretsManagerClient } from '../../functions/adapters/secrets-manager-client.js'
import { awsError, type FakeAnswer, FakeKms } from './fake-kms.js'
import { FakeSecretsManager } from './fake-secrets-manager.js'

/** A failure the fake answers instead of (or, for `slow`, before) the real result. */
export type Fault =
  /** 400 ThrottlingException, as both services answer a rate over quota. */
  | { readonly kind: 'throttle' }
  /** 500 with the service's own internal-error type. */
  | { readonly kind: 'internal' }
  /** 503 ServiceUnavailable. */
  | { readonly kind: 'unavailable' }
  /** The real answer, `ms` late: beyond a client's request timeout, a timeout. */
  | { readonly kind: 'slow'; readonly ms: number }
  /** Any named error, e.g. 400 AccessDeniedException. */
  | { readonly kind: 'error'; readonly status: number; readonly type: string }

export interface FakeAwsOptions {
  /**
   * DynamoDB Local's endpoint: DynamoDB requests (JSON 1.0) sent here are
   * forwarded to it, unless a fault is injected for their operation, so one
   * endpoint (AWS_ENDPOINT_URL) serves every service a Tollgate function uses.
   */
  readonly dynamoDb?: string
}

/** One item-level DynamoDB access, as IAM authorizes it: the action, and the partition or index. */
export interface DynamoDbAccess {
  /** `dynamodb:PutItem`, …: a transaction's items count as their own actions. */
  readonly action: string
  /** The partition key value of the item, or of the queried partition of the table. */
  readonly pk?: string
  /** The index a Query ran on. */
  readonly index?: string
}

export interface FakeAws {
  /** `http://127.0.0.1:<port>`: give it to an SDK client as `endpoint`. */
  readonly endpoint: string
  readonly kms: FakeKms
  readonly secretsManager: FakeSecretsManager
  /** Every operation received, in order (e.g. 'GetPublicKey', 'BatchGetItem'), faulted ones included. */
  readonly calls: string[]
  /** Every DynamoDB item access forwarded, in order (see DynamoDbAccess). */
  readonly dynamoDbAccesses: DynamoDbAccess[]
  /** Answers the next `times` calls of `operation` (or of any, with '*') with `fault`. */
  inject(operation: string, fault: Fault, times?: number): void
  clearFaults(): void
  /** Real SDK clients on this endpoint, with short timeouts unless told otherwise. */
  kmsClient(options?: AwsClientOptions): KMSClient
  secretsManagerClient(options?: AwsClientOptions): SecretsManagerClient
  close(): Promise<void>
}

const SERVICES = {
  TrentService: 'kms',
  secretsmanager: 'secrets-manager',
  DynamoDB_20120810: 'dynamodb',
} as const

/**
 * A small KMS- and Secrets Manager-compatible endpoint on 127.0.0.1, so the
 * real AWS SDK serializes real requests (AWS JSON 1.1: POST /, the operation
 * in `X-Amz-Target`, blobs in base64, errors as `{"__type", "message"}`)
 * against real node:crypto keys, with faults on demand. Given DynamoDB
 * Local's endpoint, it forwards DynamoDB's requests there (with the same
 * faults on demand), so a whole function can run against it alone.
 *
 * @example
 * const aws = await startFakeAws()
 * const { keyId } = aws.kms.createKey('ECC_NIST_P256')
 * aws.inject('Sign', { kind: 'throttle' }, 3)
 */
export const startFakeAws = async (options: FakeAwsOptions = {}): Promise<FakeAws> => {
  const kms = new FakeKms()
  const secretsManager = new FakeSecretsManager(kms)
  const calls: string[] = []
  const dynamoDbAccesses: DynamoDbAccess[] = []
  let faults: Array<{ operation: string; fault: Fault; left: number }> = []

  const takeFault = (operation: string): Fault | undefined => {
    const found = faults.find(
      (f) => f.left > 0 && (f.operation === operation || f.operation === '*'),
    )
    if (found === undefined) return undefined
    found.left--
    return found.fault
  }

  const answer = async (request: IncomingMessage): Promise<ForwardedAnswer> => {
    const target = String(request.headers['x-amz-target'] ?? '')
    const [prefix = '', operation = ''] = target.split('.')
    const service = SERVICES[prefix as keyof typeof SERVICES]
    const body = await readBody(request)
    const protocol = service === 'dynamodb' ? 'amz-json-1.0' : 'amz-json-1.1'
    if (service === undefined || !request.headers['content-type']?.includes(protocol)) {
      return awsError(400, 'UnknownOperationException', `unknown target ${target}`)
    }
    calls.push(operation)
    const fault = takeFault(operation)
    if (fault?.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, fault.ms))
    else if (fault !== undefined) return faultAnswer(fault, service)
    if (service === 'dynamodb') {
      dynamoDbAccesses.push(...accessesOf(operation, body))
      return forward(request, body)
    }
    let input: Record<string, unknown>
    try {
      input = JSON.parse(body || '{}')
    } catch {
      return awsError(400, 'SerializationException', 'body is not JSON')
    }
    return service === 'kms'
      ? kms.handle(operation, input)
      : secretsManager.handle(operation, input)
  }

  /** DynamoDB Local checks no signature: the request goes on as it came. */
  const forward = async (request: IncomingMessage, body: string): Promise<ForwardedAnswer> => {
    if (options.dynamoDb === undefined) {
      return awsError(400, 'UnknownOperationException', 'no DynamoDB behind this fake')
    }
    const headers = Object.entries(request.headers).filter(
      (entry): entry is [string, string] =>
        typeof entry[1] === 'string' && !HOP_BY_HOP.has(entry[0]),
    )
    const upstream = await fetch(options.dynamoDb, { method: 'POST', headers, body })
    return { status: upstream.status, text: await upstream.text() }
  }

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    answer(request).then(
      (result) =>
        'text' in result
          ? send(response, result.status, result.text, 'application/x-amz-json-1.0')
          : send(response, result.status, result.body),
      (error: unknown) =>
        send(response, 500, { __type: 'InternalFailure', message: String(error) }),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  const clientOptions = (options?: AwsClientOptions): AwsClientOptions => ({
    endpoint,
    requestTimeoutMs: 1_000,
    ...options,
  })

  return {
    endpoint,
    kms,
    secretsManager,
    calls,
    dynamoDbAccesses,
    inject: (operation, fault, times = 1) => {
      faults.push({ operation, fault, left: times })
    },
    clearFaults: () => {
      faults = []
    },
    kmsClient: (options) => createKmsClient(clientOptions(options)),
    secretsManagerClient: (options) => createSecretsManagerClient(clientOptions(options)),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

type AttributeMap = Readonly<Record<string, { readonly S?: string } | undefined>>
type Request = {
  readonly Key?: AttributeMap
  readonly Item?: AttributeMap
  readonly IndexName?: string
  readonly ExpressionAttributeValues?: AttributeMap
  readonly TransactItems?: ReadonlyArray<Readonly<Record<string, Request>>>
  readonly RequestItems?: Readonly<Record<string, { readonly Keys?: readonly AttributeMap[] }>>
}

/** What IAM evaluates of one DynamoDB request: an action per item, with its partition. */
const accessesOf = (operation: string, body: string): DynamoDbAccess[] => {
  let request: Request
  try {
    request = JSON.parse(body) as Request
  } catch {
    return []
  }
  const pkOf = (map: AttributeMap | undefined) => map?.pk?.S
  switch (operation) {
    case 'TransactWriteItems':
      return (request.TransactItems ?? []).flatMap((item) =>
        Object.entries(item).map(([kind, inner]) => ({
          action: `dynamodb:${kind === 'ConditionCheck' ? 'ConditionCheckItem' : `${kind}Item`}`,
          pk: pkOf(inner.Key ?? inner.Item),
        })),
      )
    case 'BatchGetItem':
      return Object.values(request.RequestItems ?? {}).flatMap(({ Keys = [] }) =>
        Keys.map((key) => ({ action: 'dynamodb:BatchGetItem', pk: pkOf(key) })),
      )
    case 'Query':
      return [
        request.IndexName === undefined
          ? { action: 'dynamodb:Query', pk: request.ExpressionAttributeValues?.[':pk']?.S }
          : { action: 'dynamodb:Query', index: request.IndexName },
      ]
    default:
      return [{ action: `dynamodb:${operation}`, pk: pkOf(request.Key ?? request.Item) }]
  }
}

/** Headers fetch sets itself (or refuses to be given). */
const HOP_BY_HOP = new Set([
  'host',
  'content-length',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'expect',
])

/** A DynamoDB answer passed through as text, or one of the fake's own. */
type ForwardedAnswer = FakeAnswer | { readonly status: number; readonly text: string }

const INTERNAL_ERROR: Readonly<Record<string, string>> = {
  kms: 'KMSInternalException',
  'secrets-manager': 'InternalServiceError',
  dynamodb: 'InternalServerError',
}

const faultAnswer = (fault: Exclude<Fault, { kind: 'slow' }>, service: string): FakeAnswer => {
  switch (fault.kind) {
    case 'throttle':
      return awsError(400, 'ThrottlingException', 'Rate exceeded')
    case 'internal':
      return awsError(
        500,
        INTERNAL_ERROR[service] ?? 'InternalFailure',
        'An internal error occurred.',
      )
    case 'unavailable':
      return awsError(503, 'ServiceUnavailable', 'Service unavailable')
    case 'error':
      return awsError(fault.status, fault.type, `${fault.type} (injected)`)
  }
}

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

const send = (
  response: ServerResponse,
  status: number,
  body: unknown,
  contentType = 'application/x-amz-json-1.1',
): void => {
  if (response.destroyed) return
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': crypto.randomUUID(),
  })
  response.end(text)
}
