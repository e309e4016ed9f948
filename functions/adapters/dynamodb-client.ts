import { Agent as HttpAgent } from 'node:http'
import { Agent as HttpsAgent } from 'node:https'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { DynamoDBClient } from '@aws-sdk/client-dynamodb'
import { explicitEndpointConfig } from './aws-clients.js'

/**
 * Connection policy, one for Lambda and for the dev server:
 * - `connectMs` bounds connecting only. The SDK's own `connectionTimeout`
 *   starts when a request is made, so on the dev server a request queued for
 *   a free socket behind a burst failed after 1 s with a healthy DynamoDB
 *   Local (31 of 200 parallel exchanges); here the clock starts when the
 *   socket does.
 * - `idleMs` bounds a request once it has a socket: no byte for that long
 *   fails the attempt (a hung DynamoDB), and it is retried. The SDK's
 *   `requestTimeout` only logs a warning unless told to throw, and it too
 *   would count the time spent queued.
 * - `maxSockets` lets a burst on the dev server run this many requests at
 *   once and queue the rest, without limit on the wait: a queue is not an outage.
 * - `queueWarnMs`: only a request still waiting for a socket after this long
 *   makes the SDK warn (on the console). Its default, 3 s, is derived from
 *   timeouts this policy replaces, and called every queued burst of the dev
 *   server a problem although queueing is the policy.
 * - `maxAttempts` 3: a dead endpoint (connection refused) fails in well under
 *   a second and a hung one after about 3 × idleMs, both as 503 `unavailable`.
 */
export const DYNAMODB_CONNECTION_POLICY = {
  connectMs: 1_000,
  idleMs: 2_000,
  maxSockets: 64,
  queueWarnMs: 30_000,
  maxAttempts: 3,
} as const

/**
 * One DynamoDB client per process, with the connection policy above. An
 * explicit endpoint (DynamoDB Local, LocalStack) gets `explicitEndpointConfig`
 * (a region; placeholder credentials for an emulator on this machine). A function endpoint is asked on every request, so the client follows a
 * supervised DynamoDB Local that had to move to another port.
 *
 * @example
 * const client = createDynamoDbClient(config.dynamoDbEndpoint)
 */
export const createDynamoDbClient = (
  endpoint: string | (() => string) | undefined,
): DynamoDBClient => {
  const { connectMs, idleMs, maxSockets, queueWarnMs, maxAttempts } = DYNAMODB_CONNECTION_POLICY
  return new DynamoDBClient({
    maxAttempts,
    requestHandler: {
      // http for DynamoDB Local, https for AWS: the same bounds either way.
      httpAgent: connectBounded(new HttpAgent({ keepAlive: true, maxSockets }), connectMs),
      httpsAgent: connectBounded(new HttpsAgent({ keepAlive: true, maxSockets }), connectMs),
      socketTimeout: idleMs,
      socketAcquisitionWarningTimeout: queueWarnMs,
    },
    ...(endpoint === undefined
      ? {}
      : {
          ...explicitEndpointConfig(typeof endpoint === 'string' ? endpoint : endpoint()),
          // A supervised DynamoDB Local may move: ask for the endpoint on every request.
          ...(typeof endpoint === 'string'
            ? {}
            : { endpoint: async () => ({ url: new URL(endpoint()) }) }),
        }),
  })
}

/**
 * The agent, its sockets bound to connect within `connectMs` of being created:
 * the time a request waits for a free socket is not counted. A socket that
 * does not connect in time fails its request with ETIMEDOUT, which the SDK
 * retries as a timeout.
 */
const connectBounded = <A extends HttpAgent>(agent: A, connectMs: number): A => {
  const create = agent.createConnection.bind(agent)
  agent.createConnection = (...args) => {
    const socket = create(...args)
    if (isConnecting(socket)) {
      const timer = setTimeout(() => {
        const error = new Error(`connect timed out after ${connectMs} ms`)
        socket.destroy(Object.assign(error, { code: 'ETIMEDOUT' }))
      }, connectMs)
      socket.once('connect', () => clearTimeout(timer))
      socket.once('close', () => clearTimeout(timer))
    }
    return socket
  }
  return agent
}

const isConnecting = (socket: Duplex | null | undefined): socket is Socket =>
  socket != null && (socket as Partial<Socket>).connecting === true
