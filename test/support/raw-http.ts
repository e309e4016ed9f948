import { connect } from 'node:net'

export interface RawAnswer {
  /** 0 when nothing came back. */
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  /** Everything the server sent. */
  readonly raw: string
  /** When the server closed the connection, in ms from the first byte sent; undefined if it did not. */
  readonly closedAfterMs: number | undefined
}

/**
 * Sends bytes `fetch` would refuse to send, on a raw 127.0.0.1 socket left open
 * on our side, and reads until the server closes (or `waitMs` passes).
 */
export const sendRaw = (
  port: number,
  request: string | Buffer,
  { waitMs = 10_000 }: { readonly waitMs?: number } = {},
): Promise<RawAnswer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let started = Date.now()
    let closedAfterMs: number | undefined
    let gaveUp = false
    const socket = connect(port, '127.0.0.1', () => {
      started = Date.now()
      socket.write(request)
    })
    const give = setTimeout(() => {
      gaveUp = true
      socket.destroy()
    }, waitMs)
    const closedByServer = () => {
      if (!gaveUp) closedAfterMs ??= Date.now() - started
    }
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    // A reset after the answer is still a close; what came first still counts.
    socket.on('error', closedByServer)
    socket.once('end', closedByServer)
    socket.once('close', () => {
      clearTimeout(give)
      closedByServer()
      try {
        resolve(parseAnswer(Buffer.concat(chunks), closedAfterMs))
      } catch (error) {
        reject(error)
      }
    })
  })

const parseAnswer = (bytes: Buffer, closedAfterMs: number | undefined): RawAnswer => {
  const raw = bytes.toString('latin1')
  const headEnd = raw.indexOf('\r\n\r\n')
  if (headEnd === -1) return { status: 0, headers: {}, body: '', raw, closedAfterMs }
  const [statusLine = '', ...headerLines] = raw.slice(0, headEnd).split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of headerLines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
  }
  const length = Number(headers['content-length'] ?? 0)
  const body = bytes.subarray(headEnd + 4, headEnd + 4 + length).toString('utf8')
  return { status: Number(statusLine.split(' ')[1] ?? 0), headers, body, raw, closedAfterMs }
}
