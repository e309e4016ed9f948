import { TollgateClient } from '../client/index.js'
import { looksLikeAccessToken, looksLikeJwt } from '../core/credential-kinds.js'
import type { GLOBAL_OPTIONS, Values } from './args.js'
import { type StoredSignIn, storedCredential, storeSignIn } from './credentials.js'
import { MissingCredentialsError, UsageError } from './exit-codes.js'
import { type CliIo, cliVersion } from './io.js'

export const DEFAULT_URL = 'http://127.0.0.1:3000'

/** What the CLI acts with, and where it came from (shown by `whoami`). */
export type Credential =
  | { readonly kind: 'access_token'; readonly value: string; readonly source: string }
  | { readonly kind: 'jwt'; readonly value: string; readonly source: string }

type GlobalValues = Values<typeof GLOBAL_OPTIONS>

/** The base URL: `--url`, else TOLLGATE_URL, else the dev server's; normalized like the client's. */
export const resolveUrl = (values: GlobalValues, io: CliIo): string => {
  const text = values.url ?? io.env.TOLLGATE_URL ?? DEFAULT_URL
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new UsageError(`${values.url === undefined ? 'TOLLGATE_URL' : '--url'} is not a URL`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError('the Tollgate URL must be http(s)')
  }
  return url.href.replace(/\/+$/, '')
}

/**
 * The credential, first found: `--access-token`, TOLLGATE_ACCESS_TOKEN,
 * TOLLGATE_JWT (a person's JWT, e.g. from `login --dev`), then what
 * `tollgate login` stored for this URL: an access token, or a sign-in
 * through an IdP, whose ID token is renewed here when it is about to end.
 */
export const resolveCredential = async (
  values: GlobalValues,
  io: CliIo,
  url: string,
): Promise<Credential | undefined> => {
  const flag = values['access-token']
  if (flag !== undefined)
    return { kind: 'access_token', value: flag.trim(), source: '--access-token' }
  const envToken = io.env.TOLLGATE_ACCESS_TOKEN?.trim()
  if (envToken) return { kind: 'access_token', value: envToken, source: 'TOLLGATE_ACCESS_TOKEN' }
  const envJwt = io.env.TOLLGATE_JWT?.trim()
  if (envJwt) return { kind: 'jwt', value: envJwt, source: 'TOLLGATE_JWT' }
  const stored = await storedCredential(io.env, url)
  if (stored === undefined) return undefined
  if (stored.warning !== undefined) io.stderr.write(`${stored.warning}\n`)
  if (stored.kind === 'access_token') {
    return { kind: 'access_token', value: stored.token, source: stored.path }
  }
  const signIn = await currentSignIn(io, url, stored.signIn)
  return {
    kind: 'jwt',
    value: signIn.id_token,
    source: `${stored.path} (sign-in through ${signIn.identity_provider.id}, until ${signIn.expires_at})`,
  }
}

/** An ID token this close to its end is renewed first, so a command never starts with one about to fail. */
const RENEW_BEFORE_MS = 60_000

/**
 * The stored sign-in, renewed with its refresh token (and stored again)
 * when its ID token ends within a minute. The IdP code is loaded only then.
 */
const currentSignIn = async (
  io: CliIo,
  url: string,
  signIn: StoredSignIn,
  now: Date = new Date(),
): Promise<StoredSignIn> => {
  if (Date.parse(signIn.expires_at) - now.getTime() > RENEW_BEFORE_MS) return signIn
  const { renewSignIn } = await import('./identity-provider.js')
  const renewed = await renewSignIn(signIn)
  await storeSignIn(io.env, url, renewed, now)
  return renewed
}

export const NO_CREDENTIALS = (url: string) =>
  `No credentials for ${url}: set TOLLGATE_ACCESS_TOKEN, run \`tollgate login\`, or set TOLLGATE_JWT (see \`tollgate login --help\`).`

/**
 * A JWT where an access token belongs (or the reverse) is named with its
 * fix here, before the server can only call it malformed. Never quotes it.
 */
const checkCredentialKind = (credential: Credential): void => {
  if (credential.kind === 'access_token' && looksLikeJwt(credential.value)) {
    throw new MissingCredentialsError(
      `${credential.source} holds a JWT, not an access token: to act with a JWT as is, set TOLLGATE_JWT instead; ` +
        'to have the CLI exchange and renew JWTs, give it an access token (tgs_… or tgp_…).',
    )
  }
  if (credential.kind === 'jwt' && looksLikeAccessToken(credential.value)) {
    throw new MissingCredentialsError(
      'TOLLGATE_JWT holds an access token, not a JWT: set TOLLGATE_ACCESS_TOKEN instead ' +
        '(the CLI exchanges it for JWTs), or run `tollgate login`.',
    )
  }
}

export interface Session {
  readonly url: string
  readonly credential: Credential | undefined
  readonly client: TollgateClient
}

/**
 * A client for the command's URL and credential; `required` refuses to go
 * on without one, `anonymous` looks for none (a federated exchange, whose
 * outside token is its own credential).
 */
export const openSession = async (
  values: GlobalValues,
  io: CliIo,
  options: { readonly required?: boolean; readonly anonymous?: boolean } = {},
): Promise<Session> => {
  const url = resolveUrl(values, io)
  const credential =
    options.anonymous === true ? undefined : await resolveCredential(values, io, url)
  if (credential === undefined && options.required !== false && options.anonymous !== true) {
    throw new MissingCredentialsError(NO_CREDENTIALS(url))
  }
  if (credential !== undefined) checkCredentialKind(credential)
  return { url, credential, client: clientFor(url, io, credential) }
}

/** A client for `url` acting with `credential`, or with none (public routes). */
export const clientFor = (url: string, io: CliIo, credential?: Credential): TollgateClient =>
  new TollgateClient({
    baseUrl: url,
    userAgent: `tollgate-cli/${cliVersion()}`,
    ...(io.fetch === undefined ? {} : { fetch: io.fetch }),
    ...(credential?.kind === 'access_token' ? { accessToken: credential.value } : {}),
    ...(credential?.kind === 'jwt' ? { jwt: credential.value } : {}),
  })
