import { spawn } from 'node:child_process'

/** The system's "open this URL" command, per platform. */
const OPENERS: Readonly<Partial<Record<NodeJS.Platform, readonly string[]>>> = {
  darwin: ['open'],
  win32: ['rundll32', 'url.dll,FileProtocolHandler'],
}

/**
 * Tries to open `url` in the person's browser and never fails: where no
 * browser opens (a server, a container), the URL printed beside it is the way.
 * The URL is one argument, never a shell string.
 */
export const openInBrowser = (url: string): void => {
  const [command = 'xdg-open', ...args] = OPENERS[process.platform] ?? ['xdg-open']
  try {
    const child = spawn(command, [...args, url], { detached: true, stdio: 'ignore' })
    child.on('error', () => {})
    child.unref()
  } catch {
    // No opener on this system: the printed URL is enough.
  }
}
