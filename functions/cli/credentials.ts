import { chmod, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { isAbsolute, join } from 'node:path'

/**
 * Stored access tokens, one per Tollgate URL, so a token saved for one
 * server is never sent to another. The file is 0600 in a 0700 directory.
 */
interface CredentialsFile {
  readonly version: 1
  readonly credentials: Readonly<
    Record<string, { readonly access_token: string; readonly saved_at: string }>
  >
}

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

/** The stored access token for `url`, and a warning when others can read the file. */
export const storedAccessToken = async (
  env: Readonly<Record<string, string | undefined>>,
  url: string,
): Promise<
  { readonly token: string; readonly path: string; readonly warning?: string } | undefined
> => {
  const path = credentialsPath(env)
  const file = await readFileOf(path)
  const entry = file.credentials[url]
  if (entry === undefined || typeof entry.access_token !== 'string') return undefined
  const { mode } = await stat(path)
  const warning =
    process.platform !== 'win32' && (mode & 0o077) !== 0
      ? `warning: ${path} is readable by other users; run: chmod 600 ${path}`
      : undefined
  return { token: entry.access_token, path, ...(warning === undefined ? {} : { warning }) }
}

/** Saves (or with `undefined`, removes) the access token for `url`; returns the file's path. */
export const storeAccessToken = async (
  env: Readonly<Record<string, string | undefined>>,
  url: string,
  token: string | undefined,
  now: Date = new Date(),
): Promise<{ readonly path: string; readonly changed: boolean }> => {
  const directory = configDirectory(env)
  const path = credentialsPath(env)
  const file = await readFileOf(path)
  const { [url]: previous, ...others } = file.credentials
  if (token === undefined && previous === undefined) return { path, changed: false }
  const credentials =
    token === undefined
      ? others
      : { ...others, [url]: { access_token: token, saved_at: now.toISOString() } }
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
