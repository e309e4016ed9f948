import { createServer, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { MissingCredentialsError } from './exit-codes.js'
import { printable } from './output.js'

const CALLBACK_PATH = '/callback'

/**
 * Where the identity provider sends the browser back to `tollgate login
 * --issuer`: RFC 8252 §7.3, a listener on 127.0.0.1 with a port the system
 * picks, so the one registered redirect URI `http://127.0.0.1/callback`
 * serves every run (the IdP allows any port for loopback).
 */
export interface LoopbackRedirect {
  /** `http://127.0.0.1:<port>/callback`, for the authorization request. */
  readonly redirectUri: string
  /**
   * The first answer at the callback: its URL when it carries `state` and no
   * `error`; otherwise, or when `timeoutMs` passes first, it throws a
   * message that says what to do. The browser is told the outcome either way.
   */
  readonly answer: (expected: {
    readonly state: string
    readonly timeoutMs: number
    readonly command: string
  }) => Promise<URL>
  readonly close: () => Promise<void>
}

/**
 * @example
 * const redirect = await listenForRedirect()
 * try { const url = await redirect.answer({ state, timeoutMs: 300_000, command }) }
 * finally { await redirect.close() }
 */
export const listenForRedirect = async (): Promise<LoopbackRedirect> => {
  let origin = 'http://127.0.0.1'
  let deliver: (answer: { url: URL; response: ServerResponse }) => void = () => {}
  const arrived = new Promise<{ url: URL; response: ServerResponse }>((resolve) => {
    deliver = resolve
  })
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', origin)
    if (request.method !== 'GET' || url.pathname !== CALLBACK_PATH) {
      reply(response, 404, 'Not found.')
      return
    }
    deliver({ url, response })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const { port } = server.address() as AddressInfo
  origin = `http://127.0.0.1:${port}`
  const redirectUri = `${origin}${CALLBACK_PATH}`
  return {
    redirectUri,
    answer: async ({ state, timeoutMs, command }) => {
      let timer: NodeJS.Timeout | undefined
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          const seconds = Math.round(timeoutMs / 1000)
          reject(
            new MissingCredentialsError(
              `No sign-in came back within ${seconds} s. Run \`${command}\` again and finish signing in ` +
                'in the browser (or open the URL it prints), or give yourself longer with --timeout 10m.',
            ),
          )
        }, timeoutMs)
      })
      try {
        const { url, response } = await Promise.race([arrived, timeout])
        return judge(url, response, state, command)
      } finally {
        clearTimeout(timer)
      }
    },
    // Every reply closes its connection, so closing waits only for replies still being written.
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

const judge = (url: URL, response: ServerResponse, state: string, command: string): URL => {
  const error = url.searchParams.get('error')
  if (url.searchParams.get('state') !== state) {
    reply(
      response,
      400,
      'This answer does not belong to the sign-in Tollgate started; nothing was saved.',
    )
    throw new MissingCredentialsError(
      'The sign-in answer carried another state than this login sent, so it did not come from the ' +
        `sign-in it started; nothing was saved. Run \`${command}\` again and finish it in the browser it opens.`,
    )
  }
  if (error !== null) {
    const description = url.searchParams.get('error_description')
    reply(response, 400, 'The identity provider did not sign you in; see your terminal.')
    throw new MissingCredentialsError(
      `The identity provider did not sign you in (${printable(error.slice(0, 100))}` +
        `${description === null ? '' : `: ${printable(description.slice(0, 300))}`}). ` +
        `Run \`${command}\` again; if it keeps refusing, ask its administrators whether you may use this client.`,
    )
  }
  reply(
    response,
    200,
    'Tollgate received your sign-in. You can close this tab and return to the terminal.',
  )
  return url
}

const reply = (response: ServerResponse, status: number, text: string): void => {
  response.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    connection: 'close',
  })
  response.end(`${text}\n`)
}
