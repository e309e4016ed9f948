import { type ServerResponse, STATUS_CODES } from 'node:http'
import type { HttpResponse } from '../handlers/http-response.js'

export interface WriteOptions {
  /** API Gateway's `apigw-requestid` header: the id in the event and in every log line. */
  readonly requestId: string
  /** End the connection after this answer (the request's body was not read to its end). */
  readonly close?: boolean
}

/** Writes a handler's answer; a no-op once the client is gone or something was already sent. */
export const writeResponse = (
  response: ServerResponse,
  result: HttpResponse,
  options: WriteOptions,
): void => {
  if (response.headersSent || response.destroyed) return
  const body = bodyOf(result)
  response.writeHead(result.statusCode, headersOf(result, body, options))
  response.end(body)
}

/**
 * The same answer as raw HTTP/1.1 bytes, always closing the connection: for a
 * connection that never became a request Node could parse, or one refused
 * before it was handed to the HTTP parser.
 */
export const rawResponse = (result: HttpResponse, requestId: string): Buffer => {
  const body = bodyOf(result)
  const headers = headersOf(result, body, { requestId, close: true })
  const head = [
    `HTTP/1.1 ${result.statusCode} ${STATUS_CODES[result.statusCode] ?? ''}`,
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ]
  return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n\r\n`, 'latin1'), body])
}

const bodyOf = (result: HttpResponse): Buffer =>
  result.isBase64Encoded
    ? Buffer.from(result.body, 'base64')
    : Buffer.from(result.body ?? '', 'utf8')

const headersOf = (
  result: HttpResponse,
  body: Buffer,
  options: WriteOptions,
): Record<string, string> => {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(result.headers ?? {})) {
    headers[name.toLowerCase()] = String(value)
  }
  return {
    ...headers,
    'apigw-requestid': options.requestId,
    'content-length': String(body.byteLength),
    ...(options.close === true ? { connection: 'close' } : {}),
  }
}
