import type * as z from 'zod/mini'
import type * as api from '../api/schemas.js'
import type { Config } from '../core/config.js'
import { TollgateError } from '../core/errors.js'
import type { ConsoleAssets } from '../wiring/dependencies.js'
import type { HttpRequest } from './http-event.js'
import { createHttpHandler } from './http-middleware.js'
import { type HttpResponse, jsonResponse } from './http-response.js'

export interface ConsoleDependencies {
  readonly config: Pick<Config, 'trustedIssuers'>
  /** The development issuer, in local mode only: then the console offers its sign-in. */
  readonly devIssuer?: unknown
  /** The built files: bundled into the Lambda, built at start by the dev server. */
  readonly consoleAssets?: (() => Promise<ConsoleAssets>) | undefined
}

/**
 * `GET /console`, `/console/config.json`, `/console/{asset}`: the console,
 * same-origin with the API it calls. Every answer carries a strict
 * Content-Security-Policy (scripts only from this origin, no inline script,
 * no eval, never framed), `nosniff` and `no-referrer`; `connect-src` adds
 * only the origins of identity providers people sign in with.
 */
export const createConsoleHandler = (dependencies: () => Promise<ConsoleDependencies>) =>
  createHttpHandler(async (request) => {
    const deps = await dependencies()
    const headers = securityHeaders(deps.config.trustedIssuers)
    if (request.routeKey === 'GET /console/config.json') {
      return jsonResponse(200, consoleConfigOf(deps), { ...headers, 'cache-control': 'no-store' })
    }
    const assets = await deps.consoleAssets?.()
    const name = request.routeKey === 'GET /console' ? 'index.html' : assetName(request)
    const asset = name === undefined ? undefined : assets?.[name]
    if (asset === undefined) {
      throw new TollgateError(
        'not_found',
        assets === undefined ? 'This server has no console built in.' : 'No such console file.',
      )
    }
    return {
      statusCode: 200,
      headers: { ...headers, 'content-type': asset.contentType, 'cache-control': 'no-cache' },
      body: asset.body,
      isBase64Encoded: false,
    } satisfies HttpResponse
  })

const ASSET_NAME = /^[a-z]+\.(js|css)$/

const assetName = (request: HttpRequest): string | undefined => {
  const name = request.pathParameters.asset
  return name !== undefined && ASSET_NAME.test(name) ? name : undefined
}

export const consoleConfigOf = (
  deps: Pick<ConsoleDependencies, 'config' | 'devIssuer'>,
): z.infer<typeof api.consoleConfig> => ({
  identity_providers: deps.config.trustedIssuers.flatMap((issuer) =>
    issuer.clientId === undefined
      ? []
      : [{ id: issuer.id, issuer: issuer.issuer, client_id: issuer.clientId }],
  ),
  development_sign_in: deps.devIssuer !== undefined,
})

/** The console's headers: what a security reviewer checks first. */
export const securityHeaders = (
  trustedIssuers: Config['trustedIssuers'],
): Readonly<Record<string, string>> => {
  const identityProviders = [
    ...new Set(
      trustedIssuers
        .filter((issuer) => issuer.clientId !== undefined)
        .map((issuer) => new URL(issuer.issuer).origin),
    ),
  ]
  const policy = [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    ['connect-src', "'self'", ...identityProviders].join(' '),
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ')
  return {
    'content-security-policy': policy,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
  }
}
