import { connect, createServer, type Server, type Socket } from 'node:net'

export type ProxyMode =
  /** Forward both ways, each answer chunk held back by `delayMs` (a DynamoDB slowed by load). */
  | { readonly kind: 'forward'; readonly delayMs: number }
  /** Accept connections and never answer (a hung DynamoDB, e.g. a stopped JVM). */
  | { readonly kind: 'hang' }

export interface TcpProxy {
  readonly endpoint: string
  /** Changes how connections opened from now on behave. */
  setMode(mode: ProxyMode): void
  /** Cuts every open connection, so clients must open new ones (in the current mode). */
  dropConnections(): void
  close(): Promise<void>
}

/**
 * A loopback TCP proxy in front of `target` (`http://127.0.0.1:PORT`) that
 * can slow the answers or swallow the requests: the conditions a burst and
 * an outage meet on a loaded machine, made repeatable.
 */
export const startTcpProxy = async (target: string, initial: ProxyMode): Promise<TcpProxy> => {
  const { hostname, port } = new URL(target)
  let mode = initial
  const sockets = new Set<Socket>()
  const track = (socket: Socket) => {
    sockets.add(socket)
    socket.once('close', () => sockets.delete(socket))
    socket.on('error', () => socket.destroy())
  }
  const server: Server = createServer((client) => {
    track(client)
    if (mode.kind === 'hang') {
      client.resume()
      return
    }
    const { delayMs } = mode
    const upstream = connect(Number(port), hostname)
    track(upstream)
    client.pipe(upstream)
    // Each chunk leaves delayMs after it arrived, in order.
    let last = 0
    upstream.on('data', (chunk: Buffer) => {
      const due = Math.max(Date.now() + delayMs, last)
      last = due
      // Never negative: with delayMs 0 the clock may tick between the two reads (Node warns).
      setTimeout(() => client.write(chunk), Math.max(0, due - Date.now()))
    })
    upstream.once('end', () => setTimeout(() => client.end(), Math.max(0, last - Date.now())))
    client.once('close', () => upstream.destroy())
    upstream.once('close', () => setTimeout(() => client.destroy(), Math.max(0, last - Date.now())))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  if (typeof address !== 'object' || address === null) throw new Error('proxy did not bind')
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    setMode: (next) => {
      mode = next
    },
    dropConnections: () => {
      for (const socket of sockets) socket.destroy()
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      }),
  }
}
