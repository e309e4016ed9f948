import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Context } from 'aws-lambda'
import { lambdaContext } from './lambda.js'

/** A function the fake runs in-process: the module's `handler`, as Lambda calls it. */
export type FakeFunction = (event: unknown, context: Context) => Promise<unknown>

/** One Invoke request as it reached the endpoint. */
export interface FakeInvocation {
  /** As in the path, decoded: a name or an ARN. */
  readonly functionName: string
  /** `X-Amz-Invocation-Type`; absent means RequestResponse. */
  readonly invocationType: string | undefined
  /** `X-Amz-Log-Type`: `Tail` would ask for the log in the answer. */
  readonly logType: string | undefined
  /** Whether the request was SigV4-signed, as Lambda requires. */
  readonly signed: boolean
  /** The payload, as sent. */
  readonly body: string
}

export interface FakeLambda {
  /** `http://127.0.0.1:<port>`: AWS_ENDPOINT_URL_LAMBDA for the CLI under test. */
  readonly endpoint: string
  readonly invocations: FakeInvocation[]
  /** Serves `name` with `fn`; `denied` answers every call AccessDeniedException instead. */
  register(name: string, fn: FakeFunction | 'denied'): void
  close(): Promise<void>
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/

/**
 * A small Lambda-compatible endpoint on 127.0.0.1 speaking the Invoke API
 * (REST-JSON: `POST /2015-03-31/functions/{name}/invocations`, the payload
 * as the body, the answer as the body, `X-Amz-Function-Error` when the
 * function threw, errors typed by `x-amzn-ErrorType`), so that the real
 * AWS SDK serializes and parses a real invocation while the function runs
 * in-process.
 *
 * @example
 * const lambda = await startFakeLambda()
 * lambda.register('Tollgate-Bootstrap', handler)
 */
export const startFakeLambda = async (): Promise<FakeLambda> => {
  const functions = new Map<string, FakeFunction | 'denied'>()
  const invocations: FakeInvocation[] = []

  const answer = async (request: IncomingMessage): Promise<Answer> => {
    const match = INVOKE_PATH.exec(new URL(request.url ?? '/', 'http://fake').pathname)
    if (request.method !== 'POST' || match === null) {
      return error(404, 'UnknownOperationException', `no such operation ${request.url}`)
    }
    const functionName = decodeURIComponent(match[1] ?? '')
    const body = await readBody(request)
    invocations.push({
      functionName,
      invocationType: header(request, 'x-amz-invocation-type'),
      logType: header(request, 'x-amz-log-type'),
      signed: (header(request, 'authorization') ?? '').startsWith('AWS4-HMAC-SHA256 '),
      body,
    })
    const fn = functions.get(functionName)
    if (fn === undefined) {
      return error(
        404,
        'ResourceNotFoundException',
        `Function not found: arn:aws:lambda:eu-west-1:123456789012:function:${functionName}`,
      )
    }
    if (fn === 'denied') {
      return error(
        403,
        'AccessDeniedException',
        `User: arn:aws:iam::123456789012:user/tester is not authorized to perform: lambda:InvokeFunction on resource: ${functionName}`,
      )
    }
    const event = body === '' ? {} : JSON.parse(body)
    try {
      const result = await fn(event, lambdaContext(functionName))
      return { status: 200, body: JSON.stringify(result ?? null), headers: {} }
    } catch (thrown) {
      const failure = thrown as Error
      return {
        status: 200,
        body: JSON.stringify({
          errorType: failure.name,
          errorMessage: failure.message,
          trace: String(failure.stack).split('\n'),
        }),
        headers: { 'x-amz-function-error': 'Unhandled' },
      }
    }
  }

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    answer(request).then(
      (result) => send(response, result),
      (thrown: unknown) => send(response, error(500, 'ServiceException', String(thrown)) as Answer),
    )
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))

  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    invocations,
    register: (name, fn) => {
      functions.set(name, fn)
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

interface Answer {
  readonly status: number
  readonly body: string
  readonly headers: Readonly<Record<string, string>>
}

/** Lambda's error shape: the type in a header, `{"Type", "message"}` in the body. */
const error = (status: number, type: string, message: string): Answer => ({
  status,
  body: JSON.stringify({ Type: 'User', message }),
  headers: { 'x-amzn-errortype': type },
})

const header = (request: IncomingMessage, name: string): string | undefined => {
  const value = request.headers[name]
  return typeof value === 'string' ? value : undefined
}

const readBody = async (request: IncomingMessage): Promise<string> => {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

const send = (response: ServerResponse, answer: Answer): void => {
  if (response.destroyed) return
  response.writeHead(answer.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(answer.body),
    'x-amzn-requestid': crypto.randomUUID(),
    ...(answer.status === 200 ? { 'x-amz-executed-version': '$LATEST' } : {}),
    ...answer.headers,
  })
  response.end(answer.body)
}
