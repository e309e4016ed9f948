import { createServer } from 'node:net'

/** A loopback port that was free a moment ago. */
export const freePort = (): Promise<number> =>
  new Promise((resolvePort, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolvePort(address.port)
          : reject(new Error('no free port')),
      )
    })
  })

/**
 * Fails now, with the listen error, if `port` cannot be bound on `host`: a
 * quick check before slow work. Only the real listen is authoritative.
 */
export const ensurePortIsFree = (port: number, host: string): Promise<void> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(port, host, () => server.close(() => resolve()))
  })

/** What to tell a person whose port could not be bound; undefined for other errors. */
export const describePortError = (
  error: unknown,
  port: number,
  host: string,
): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code
  if (code === 'EADDRINUSE') {
    return (
      `port ${port} on ${host} is already in use (another npm start?). ` +
      'Stop what holds it, or set PORT to a free port. Nothing was created.'
    )
  }
  if (code === 'EACCES') {
    return `port ${port} on ${host} needs privileges this user lacks; set PORT to a port above 1023.`
  }
  return undefined
}
