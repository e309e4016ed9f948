import type { IncomingMessage } from 'node:http'
import type { DevServerLimits } from './http-hardening.js'

export type BodyOutcome =
  | { readonly kind: 'complete'; readonly body: Buffer }
  /** Over the limit, by its Content-Length (nothing read) or by what arrived. */
  | { readonly kind: 'too_large' }
  /** Not all there within the body timeout: a client that announced more than it sends. */
  | { readonly kind: 'timeout' }
  /** The client went away; there is no one to answer. */
  | { readonly kind: 'aborted' }

/**
 * Reads a request's body within the size limit and the body timeout. A
 * Content-Length over the limit is refused before a byte is read, so a client
 * announcing 10 MB and sending 10 bytes is answered at once instead of waited
 * for. After anything but `complete` the body is unread, and the answer must
 * close the connection.
 */
export const readBody = (
  request: IncomingMessage,
  limits: Pick<DevServerLimits, 'maxBodyBytes' | 'bodyTimeoutMs'>,
): Promise<BodyOutcome> => {
  const declared = request.headers['content-length']
  if (declared !== undefined && Number(declared) > limits.maxBodyBytes) {
    return Promise.resolve({ kind: 'too_large' })
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    let settled = false
    const settle = (outcome: BodyOutcome) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (outcome.kind !== 'complete') request.pause()
      resolve(outcome)
    }
    const timer = setTimeout(() => settle({ kind: 'timeout' }), limits.bodyTimeoutMs)
    request.on('data', (chunk: Buffer) => {
      size += chunk.byteLength
      if (size > limits.maxBodyBytes) settle({ kind: 'too_large' })
      else chunks.push(chunk)
    })
    request.once('end', () => settle({ kind: 'complete', body: Buffer.concat(chunks) }))
    request.once('error', () => settle({ kind: 'aborted' }))
    request.once('close', () => settle({ kind: 'aborted' }))
  })
}

/** Whether the request announces a body (one that must be read, or the connection closed). */
export const hasBody = (request: IncomingMessage): boolean =>
  request.headers['transfer-encoding'] !== undefined ||
  Number(request.headers['content-length'] ?? 0) > 0
