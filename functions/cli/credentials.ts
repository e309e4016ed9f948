import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { isAbsolute, join } from 'node:path'

/**
 * A sign-in through an identity provider (`tollgate login --issuer ID`):
 * the ID token people act with until `expires_at`, the refresh token that
 * renews it where the IdP gave one, and the IdP to renew it at.
 */
export interface StoredSignIn {
  readonly identity_provider: {
    readonly id: string
    readonly issuer: string
    readonly client_id: string
  }
  readonly id_token: string
  /** When the ID token's `exp` falls, ISO 8601. */
  readonly expires_at: string
  readonly refresh_token?: string
}

type StoredEntry =
  | { readonly access_token: string; readonly saved_at: string }
  | (StoredSignIn & { readonly saved_at: string })

/**
 * What `tollgate login` stored, one entry per Tollgate URL, so a credential
 * saved for one server is never sent to another: an access token, or a
 * sign-in through an IdP. The file is 0600 in a 0700 directory.
 */
interface CredentialsFile {
  readonly version: 1
  readonly credentials: Readonly<Record<string, StoredEntry>>
}

/** What is stored for one URL, as the session uses it. */
export type StoredCredential =
  | { readonly kind: 'access_token'; readonly token: string }
  | { readonly kind: 'sign_in'; readonly signIn: StoredSignIn }

/** `$XDG_CONFIG_HOME/tollgate` (an absolute one), else `~/.config/tollgate`. */
export const configDirectory = (env: Readonly<Record<string, string | undefined>>): string => {
  const xdg = env.XDG_CONFIG_HOME
  const base = xdg !== undefined && isAbsolute(xdg) ? xdg : join(env.HOME ?? homedir(), '.config')
  return join(base, 'tollgate')
}

export const credentialsPath = (env: Readonly<Record<string, string | undefined>>): string =>
  join(configDirectory(env), 'credentials.json')

const EMPTY: CredentialsFile = { version: 1, credentials: {} }

const readFileOf = async (path: string): Promise<CredentialsFile> => {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return EMPTY
    throw error
  }
  let json: Partial<CredentialsFile>
  try {
    json = JSON.parse(text)
  } catch {
    // Not the parser's message: it quotes the text, which holds tokens.
    throw new Error(`${path} is not valid JSON; fix or delete it`)
  }
  if (json?.version !== 1 || typeof json.credentials !== 'object' || json.credentials === null) {
    throw new Error(`${path} is not a Tollgate credentials file`)
  }
  return { version: 1, credentials: json.credentials }
}

/** What is stored for `url`, and a warning when others can read the file. */
export const storedCredential = async (
  env: Readonly<Record<string, string | undefined>>,
  url: string,
): Promise<
  (StoredCredential & { readonly path: string; readonly warning?: string | undefined }) | undefined
> => {
  const path = credentialsPath(env)
  const file = await readFileOf(path)
  const credential = credentialOf(file.credentials[url])
  if (credential === undefined) return undefined
  const { mode } = await stat(path)
  const warning =
    process.platform !== 'win32' && (mode & 0o077) !== 0
      ? `warning: ${path} is readable by other users; run: chmod 600 ${path}`
      : undefined
  return { ...credential, path, warning }
}

const credentialOf = (entry: Partial<StoredEntry> | undefined): StoredCredential | undefined => {
  if (entry === undefined || entry === null || typeof entry !== 'object') return undefined
  if ('access_token' in entry && typeof entry.access_token === 'string') {
    return { kind: 'access_token', token: entry.access_token }
  }
  if (
    'id_token' in entry &&
    typeof entry.id_token === 'string' &&
    typeof entry.expires_at === 'string' &&
    typeof entry.identity_provider === 'object' &&
    entry.identity_provider !== null
  ) {
    const { identity_provider, id_token, expires_at, refresh_token } = entry
    return {
      kind: 'sign_in',
      signIn: {
        identity_provider,
        id_token,
        expires_at,
        ...(typeof refresh_token === 'string' ? { refresh_token } : {}),
      },
    }
  }
  return undefined
}

/** Saves (or with `undefined`, removes) the access token for `url`; returns the file's path. */
export const storeAccessToken = (
  env: Readonly<Record<string, string | undefined>>,
  url: string,
  token: string | undefined,
  now: Date = new Date(),
): Promise<{ readonly path: string; readonly changed: boolean }> =>
  storeEntry(
    env,
    url,
    token === undefined ? undefined : { access_token: token, saved_at: now.toISOString() },
  )

/** Saves a sign-in through an IdP for `url`, in place of whatever was stored for it. */
export const storeSignIn = (
  env: Readonly<Record<string, string | undefined>>,
  url: string,
  signIn: StoredSignIn,
  now: Date = new Date(),
): Promise<{ readonly path: string; readonly changed: boolean }> =>
  storeEntry(env, url, { ...signIn, saved_at: now.toISOString() })

const storeEntry = async (
  env: Readonly<Record<string, string | undefined>>,
  url: string,
  entry: StoredEntry | undefined,
): Promise<{ readonly path: string; readonly changed: boolean }> => {
  const directory = configDirectory(env)
  const path = credentialsPath(env)
  const file = await readFileOf(path)
  const { [url]: previous, ...others } = file.credentials
  if (entry === undefined && previous === undefined) return { path, changed: false }
  const credentials = entry === undefined ? others : { ...others, [url]: entry }
  if (Object.keys(credentials).length === 0) {
    await rm(path, { force: true })
    return { path, changed: true }
  }
  await mkdir(directory, { recursive: true, mode: 0o700 })
  // mkdir leaves an existing directory as it was; this one holds secrets.
  await chmod(directory, 0o700)
  const temporary = join(directory, `.credentials.${process.pid}.tmp`)
  const text = `${JSON.stringify({ version: 1, credentials } satisfies CredentialsFile, null, 2)}\n`
  // Created 0600 and renamed into place, so the token is never readable by others, even briefly.
  await rm(temporary, { force: true })
  await writeFile(temporary, text, { mode: 0o600, flag: 'wx' })
  await rename(temporary, path)
  return { path, changed: true }
}
