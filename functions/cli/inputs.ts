import { readFile } from 'node:fs/promises'
import { looksLikeAccessToken, looksLikeJwt } from '../core/credential-kinds.js'
import { UsageError } from './exit-codes.js'
import type { CliIo } from './io.js'

/**
 * The outside OIDC token a command exchanges or simulates, from stdin only:
 * on the command line it would show in `ps` and in shell history. Checked
 * for shape so that a Tollgate token piped by mistake is named, never sent.
 */
export const readOutsideToken = async (command: string, io: CliIo): Promise<string> => {
  const pipe = `pipe the outside OIDC token on stdin (\`tollgate ${command} < token\`); never pass it as an argument`
  if (io.stdinIsTty) throw new UsageError(`tollgate ${command}: ${pipe}`)
  const token = (await io.readStdin()).trim()
  if (token === '') throw new UsageError(`tollgate ${command}: stdin is empty: ${pipe}`)
  if (looksLikeAccessToken(token)) {
    throw new UsageError(
      `tollgate ${command}: stdin holds a Tollgate access token, not an outside OIDC token: ` +
        'set it as TOLLGATE_ACCESS_TOKEN and run `tollgate jwt` instead',
    )
  }
  if (!looksLikeJwt(token)) {
    throw new UsageError(
      `tollgate ${command}: stdin is not a JWT: pipe the OIDC token your platform issued ` +
        "(GitHub Actions: the .value of $ACTIONS_ID_TOKEN_REQUEST_URL's answer; Kubernetes: the projected token file)",
    )
  }
  return token
}

/** A file name safe to repeat back: not something shaped like a credential typed in its place. */
const shownPath = (path: string): string =>
  looksLikeJwt(path) || looksLikeAccessToken(path) ? 'the file' : path

/**
 * A JSON object read from a file named by an option (`--file policy.json`),
 * or a UsageError saying what is wrong with it, never quoting its content.
 */
export const readJsonObject = async (
  command: string,
  option: string,
  path: string,
): Promise<Record<string, unknown>> => {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable'
    throw new UsageError(`tollgate ${command}: ${option}: cannot read ${shownPath(path)} (${code})`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw new UsageError(
      `tollgate ${command}: ${option}: ${shownPath(path)} is not valid JSON; check it with \`jq . ${shownPath(path)}\``,
    )
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new UsageError(
      `tollgate ${command}: ${option}: ${shownPath(path)} must hold one JSON object ({…})`,
    )
  }
  return json as Record<string, unknown>
}
