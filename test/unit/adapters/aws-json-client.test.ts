import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { GetPublicKeyCommand, KMSClient } from '@aws-sdk/client-kms'
import { afterEach, describe, expect, it } from 'vitest'
import { isAwsOutage, translateAwsError } from '../../../functions/adapters/aws-errors.js'
import {
  AwsServiceError,
  awsJsonClientFor,
  createAwsJsonClient,
  signatureV4,
} from '../../../functions/adapters/aws-json-client.js'
import { translateDynamoDbError } from '../../../functions/adapters/dynamodb-errors.js'

const credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
}

describe('signatureV4', () => {
  it('signs as the AWS Signature Version 4 test suite says (post-vanilla)', () => {
    expect(
      signatureV4({
        method: 'POST',
        path: '/',
        headers: { host: 'example.amazonaws.com', 'x-amz-date': '20150830T123600Z' },
        body: '',
        service: 'service',
        region: 'us-east-1',
        credentials,
        amzDate: '20150830T123600Z',
      }),
    ).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ' +
        'SignedHeaders=host;x-amz-date, ' +
        'Signature=5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b',
    )
  })

  it('signs a request exactly as the AWS SDK signs it', async () => {
    // The SDK's own request, caught before it leaves: its headers, body and signature.
    let sent: { headers: Record<string, string>; body: string; path: string } | undefined
    const kms = new KMSClient({
      region: 'eu-west-1',
      credentials: { ...credentials, sessionToken: 'session/token+=' },
      requestHandler: {
        handle: async (request: {
          headers: Record<string, string>
          body: string
          path: string
        }) => {
          sent = request
          throw new Error('caught')
        },
      },
    })
    await kms
      .send(new GetPublicKeyCommand({ KeyId: 'alias/tollgate' }))
      .catch((error: Error) => expect(error.message).toBe('caught'))
    if (sent === undefined) throw new Error('the SDK sent nothing')
    const headers = Object.fromEntries(
      Object.entries(sent.headers).map(([name, value]) => [name.toLowerCase(), value]),
    )
    const authorization = headers.authorization ?? ''
    const signed = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? []

    expect(
      signatureV4({
        method: 'POST',
        path: sent.path,
        headers: Object.fromEntries(signed.map((name) => [name, headers[name] ?? ''])),
        body: sent.body,
        service: 'kms',
        region: 'eu-west-1',
        credentials: { ...credentials, sessionToken: 'session/token+=' },
        amzDate: headers['x-amz-date'] ?? '',
      }),
    ).toBe(authorization)
  })
})

interface Received {
  readonly headers: IncomingMessage['headers']
  readonly body: string
}

/** A local endpoint answering each request with the next of `answers` (the last one repeats). */
const endpoint = async (
  answers: ReadonlyArray<(response: ServerResponse) => void>,
): Promise<{ url: string; received: Received[]; server: Server }> => {
  const received: Received[] = []
  const server = createServer((request, response) => {
    let body = ''
    request.on('data', (chunk: Buffer) => {
      body += chunk.toString()
    })
    request.on('end', () => {
      received.push({ headers: request.headers, body })
      const answer = answers[Math.min(received.length, answers.length) - 1]
      answer?.(response)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  servers.push(server)
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    server,
  }
}
const servers: Server[] = []
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  (response: ServerResponse) => {
    response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', ...headers })
    response.end(JSON.stringify(body))
  }

const client = (url: string, options: { idleMs?: number; maxAttempts?: number } = {}) =>
  createAwsJsonClient({
    service: 'kms',
    endpoint: new URL(url),
    region: 'eu-west-1',
    credentials: { ...credentials, sessionToken: 'token' },
    ...options,
  })

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('resolved')
    },
    (error: unknown) => error as Error & Record<string, unknown>,
  )

describe('createAwsJsonClient', () => {
  it('posts the operation in the JSON protocol, signed, and answers the parsed JSON', async () => {
    const { url, received } = await endpoint([json(200, { KeyId: 'arn:k', PublicKey: 'AAAA' })])

    const answer = await client(url).send('GetPublicKey', { KeyId: 'alias/k' })

    expect(answer).toEqual({ KeyId: 'arn:k', PublicKey: 'AAAA' })
    expect(received[0]?.body).toBe('{"KeyId":"alias/k"}')
    expect(received[0]?.headers).toMatchObject({
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': 'TrentService.GetPublicKey',
      'x-amz-security-token': 'token',
      authorization: expect.stringMatching(
        /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/kms\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, Signature=[0-9a-f]{64}$/,
      ),
    })
  })

  it('retries throttling and 5xx answers, then succeeds', async () => {
    const { url, received } = await endpoint([
      json(400, { __type: 'ThrottlingException', message: 'slow down' }),
      json(500, { __type: 'KMSInternalException' }),
      json(200, { ok: true }),
    ])

    expect(await client(url).send('GetPublicKey', {})).toEqual({ ok: true })
    expect(received).toHaveLength(3)
  })

  it('throws a service error once, shaped as the SDK shapes it, which the translators read', async () => {
    const { url, received } = await endpoint([
      json(
        400,
        { __type: 'com.amazonaws.kms#NotFoundException', message: 'Alias is not found.' },
        { 'x-amzn-requestid': 'req-1' },
      ),
    ])

    const error = await rejection(client(url).send('GetPublicKey', {}))

    expect(received).toHaveLength(1)
    expect(error).toBeInstanceOf(AwsServiceError)
    expect(error).toMatchObject({
      name: 'NotFoundException',
      message: 'Alias is not found.',
      $fault: 'client',
      $metadata: { httpStatusCode: 400, requestId: 'req-1' },
    })
    expect(translateAwsError(error).code).toBe('internal')
  })

  it('gives up after the last attempt with the last error: an outage to the translators', async () => {
    const { url, received } = await endpoint([json(503, { __type: 'ServiceUnavailable' })])

    const error = await rejection(client(url).send('Query', {}))

    expect(received).toHaveLength(3)
    expect(error.name).toBe('ServiceUnavailable')
    expect(isAwsOutage(error)).toBe(true)
    expect(translateDynamoDbError(error).code).toBe('unavailable')
  })

  it('takes the error name from x-amzn-ErrorType when there is one', async () => {
    const { url } = await endpoint([
      json(400, {}, { 'x-amzn-errortype': 'ValidationException:http://internal.amazon.com/' }),
    ])

    expect((await rejection(client(url).send('Query', {}))).name).toBe('ValidationException')
  })

  it('times out a silent endpoint as TimeoutError, an outage', async () => {
    const { url, received } = await endpoint([() => {}])

    const error = await rejection(client(url, { idleMs: 50, maxAttempts: 2 }).send('Query', {}))

    expect(error.name).toBe('TimeoutError')
    expect(received).toHaveLength(2)
    expect(translateDynamoDbError(error).code).toBe('unavailable')
  })

  it('reports a refused connection as Node does, an outage', async () => {
    const { url, server } = await endpoint([])
    server.close()
    servers.length = 0

    const error = await rejection(client(url, { maxAttempts: 1 }).send('Query', {}))

    expect(error.code).toBe('ECONNREFUSED')
    expect(translateAwsError(error).code).toBe('unavailable')
  })
})

describe('awsJsonClientFor', () => {
  const lambda = {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'AKID',
    AWS_SECRET_ACCESS_KEY: 'secret',
    AWS_SESSION_TOKEN: 'token',
  }

  it('is there on Lambda (credentials in the environment) and for an emulator on this machine', () => {
    const endpointOf = (
      service: 'kms' | 'dynamodb',
      explicit: string | undefined,
      env: Record<string, string>,
    ) => awsJsonClientFor(service, explicit, {}, env)?.endpoint.href

    expect(endpointOf('kms', undefined, lambda)).toBe('https://kms.eu-west-1.amazonaws.com/')
    expect(endpointOf('dynamodb', undefined, { ...lambda, AWS_REGION: 'cn-north-1' })).toBe(
      'https://dynamodb.cn-north-1.amazonaws.com.cn/',
    )
    expect(endpointOf('dynamodb', undefined, { ...lambda, AWS_REGION: 'us-gov-west-1' })).toBe(
      'https://dynamodb.us-gov-west-1.amazonaws.com/',
    )
    expect(endpointOf('dynamodb', 'http://127.0.0.1:8000', {})).toBe('http://127.0.0.1:8000/')
    expect(endpointOf('kms', 'http://localhost:4566', {})).toBe('http://localhost:4566/')
    expect(endpointOf('kms', 'https://kms.example.com', lambda)).toBe('https://kms.example.com/')
  })

  it('leaves to the SDK what only it knows: other credentials, endpoints and partitions', () => {
    const sdk = (env: Record<string, string>, endpoint?: string) =>
      awsJsonClientFor('kms', endpoint, {}, env)

    expect(sdk({ AWS_REGION: 'eu-west-1' })).toBeUndefined()
    expect(sdk({ AWS_REGION: 'eu-west-1', AWS_PROFILE: 'dev' })).toBeUndefined()
    expect(sdk({ AWS_PROFILE: 'dev' }, 'http://127.0.0.1:4566')).toBeUndefined()
    expect(sdk({}, 'https://kms.example.com')).toBeUndefined()
    expect(sdk({ ...lambda, AWS_REGION: '' })).toBeUndefined()
    expect(sdk({ ...lambda, AWS_USE_FIPS_ENDPOINT: 'true' })).toBeUndefined()
    expect(sdk({ ...lambda, AWS_USE_DUALSTACK_ENDPOINT: 'true' })).toBeUndefined()
    expect(sdk({ ...lambda, AWS_REGION: 'us-iso-east-1' })).toBeUndefined()
    expect(sdk(lambda, 'https://kms.example.com/a%20b')).toBeUndefined()
  })
})
