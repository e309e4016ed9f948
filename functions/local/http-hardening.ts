import { randomUUID } from 'node:crypto'
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { TollgateError } from '../core/errors.js'
import { problemResponse } from '../handlers/http-response.js'
import { rawResponse, writeResponse } from './response-writer.js'

/** What the dev server accepts from a client, and for how long it waits. */
export interface DevServerLimits {
  /** The request line and headers must arrive within this, once a connection is open. */
  readonly headersTimeoutMs: number
  /** The body must arrive within this, once the headers have. */
  readonly bodyTimeoutMs: number
  /** An idle keep-alive connection is closed after this. */
  readonly keepAliveTimeoutMs: number
  /** A connection with no byte in or out for this long is closed (the last resort). */
  readonly idleTimeoutMs: number
  /** Request line plus headers. */
  readonly maxHeaderBytes: number
  /** Far below what API Gateway accepts; this only protects the dev server. */
  readonly maxBodyBytes: number
  /** Open connections; the next one is answered 503 and closed. */
  readonly maxConnections: number
}

export const DEFAULT_LIMITS: DevServerLimits = {
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 60_000,
  maxHeaderBytes: 16 * 1024,
  maxBodyBytes: 1024 * 1024,
  maxConnections: 512,
}

/** After a refusal, how long the client may go on sending before the connection is cut. */
const LINGER_MS = 2_000

const refused = new WeakSet<Duplex>()

export interface HardenedServer {
  listen(port: number, host: string): Promise<AddressInfo>
  close(): Promise<void>
}

export type RequestListener = (request: IncomingMessage, response: ServerResponse) => void

/**
 * node:http with every limit explicit and every refusal in problem+json
 * (docs/design.md#errors: even requests Node's parser refuses), and a connection
 * cap whose refusal is problem+json too.
 */
export const createHardenedServer = (
  limits: DevServerLimits,
  onRequest: RequestListener,
): HardenedServer => {
  // Sockets whose request the route handler owns; a parser error there is not ours to answer.
  const inFlight = new WeakSet<Duplex>()
  const http: Server = createHttpServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      // Node's whole-request timer, a backstop behind readBody's own body deadline.
      requestTimeout: limits.headersTimeoutMs + limits.bodyTimeoutMs + 5_000,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      maxHeaderSize: limits.maxHeaderBytes,
      // How often Node checks the two timeouts above (default 30 s).
      connectionsCheckingInterval: 500,
      // Node answers a missing Host with an empty 400; the request listener answers it instead.
      requireHostHeader: false,
    },
    (request, response) => {
      if (refused.has(request.socket)) return
      inFlight.add(request.socket)
      response.once('close', () => inFlight.delete(request.socket))
      if (
        request.httpVersionMajor === 1 &&
        request.httpVersionMinor >= 1 &&
        !request.headers.host
      ) {
        refuseRequest(request, response, 'A Host header is required.')
        return
      }
      onRequest(request, response)
    },
  )
  http.setTimeout(limits.idleTimeoutMs)
  http.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    // The parser may go on failing on what follows a refusal; the answer is already out.
    if (refused.has(socket)) return
    if (inFlight.has(socket) || !socket.writable || error.code === 'ECONNRESET') {
      socket.destroy()
      return
    }
    refuseSocket(socket, parserRefusal(error.code, limits))
  })
  // Without a listener Node drops CONNECT without a word.
  http.on('connect', (_request: IncomingMessage, socket: Duplex) => {
    refuseSocket(
      socket,
      new TollgateError('invalid_request', 'CONNECT is not supported: this is not a proxy.'),
    )
  })
  // Without a listener Node answers an unknown Expect with an empty 417.
  http.on('checkExpectation', (request: IncomingMessage, response: ServerResponse) => {
    refuseRequest(request, response, 'Expect: 100-continue is the only expectation supported.')
  })

  // The cap: Node's own maxConnections drops the socket without a word. The
  // parser is already attached when this runs, so a refused socket's request,
  // if it sends one, is ignored by the request listener above.
  const open = new Set<Duplex>()
  http.on('connection', (socket: Socket) => {
    if (open.size >= limits.maxConnections) {
      refuseSocket(
        socket,
        new TollgateError(
          'unavailable',
          `The dev server already has ${limits.maxConnections} connections open; try again.`,
        ),
        { 'retry-after': '1' },
      )
      return
    }
    open.add(socket)
    socket.once('close', () => open.delete(socket))
  })

  return {
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        http.once('error', reject)
        http.listen(port, host, () => {
          http.off('error', reject)
          resolve(http.address() as AddressInfo)
        })
      }),
    close: () =>
      new Promise((resolve) => {
        http.close(() => resolve())
        http.closeAllConnections()
      }),
  }
}

/**
 * The problem for a request Node's parser refused (llhttp's `HPE_*` codes, or
 * Node's own timeout). Oversized headers are `invalid_request` 400, not 413
 * `payload_too_large` (that is for bodies): the detail names the limit.
 */
const parserRefusal = (code: string | undefined, limits: DevServerLimits): TollgateError => {
  const detail = (() => {
    switch (code) {
      case 'HPE_HEADER_OVERFLOW':
        return `The request line and headers must not exceed ${limits.maxHeaderBytes} bytes.`
      case 'ERR_HTTP_REQUEST_TIMEOUT':
        return `The request line and headers did not arrive within ${limits.headersTimeoutMs / 1000} s.`
      case 'HPE_INVALID_METHOD':
        return 'The request line is malformed or its method is unknown.'
      case 'HPE_INVALID_HEADER_TOKEN':
        return 'A header name or value contains a character HTTP does not allow.'
      case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      case 'HPE_INVALID_TRANSFER_ENCODING':
        return 'Content-Length and Transfer-Encoding must not both be sent.'
      default:
        return 'The request is not valid HTTP/1.1.'
    }
  })()
  return new TollgateError('invalid_request', detail)
}

/** Answers a parsed request without reading its body, and closes the connection. */
const refuseRequest = (request: IncomingMessage, response: ServerResponse, detail: string) => {
  const requestId = randomUUID()
  const error = new TollgateError('invalid_request', detail)
  writeResponse(response, problemResponse(error, requestId), { requestId, close: true })
  request.resume()
}

/**
 * Writes the problem straight to the socket and half-closes it. What the client
 * still sends is read and dropped, so that closing does not reset the answer
 * away before the client reads it; after LINGER_MS the connection is cut.
 */
const refuseSocket = (
  socket: Duplex,
  error: TollgateError,
  headers: Readonly<Record<string, string>> = {},
): void => {
  const requestId = randomUUID()
  const problem = problemResponse(error, requestId)
  refused.add(socket)
  socket.on('error', () => socket.destroy())
  socket.end(rawResponse({ ...problem, headers: { ...problem.headers, ...headers } }, requestId))
  socket.resume()
  setTimeout(() => socket.destroy(), LINGER_MS).unref()
}
