import { spawn } from 'node:child_process'
import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { delimiter, join } from 'node:path'
import { REPO_ROOT } from '../../infra/bundling.js'

export interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs a command to its end, capturing both streams (never throws on a non-zero exit). */
export const run = (
  command: string,
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<Run> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: options.timeoutMs ?? 60_000,
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk) => (stdout += chunk))
    child.stderr.on('data', (chunk) => (stderr += chunk))
    child.on('error', reject)
    child.on('close', (code) => resolve({ code, stdout, stderr }))
  })

/**
 * The environment of a consumer's machine: PATH without this project's
 * node_modules (whose `node` package pins Node 24 for our own scripts), so
 * `node`, `npm` and `npx` are the machine's own, and npm's cache as ours.
 */
export const consumerEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => {
  const root = REPO_ROOT.replace(/\/$/, '')
  const path = (process.env.PATH ?? '')
    .split(delimiter)
    .filter((entry) => !entry.startsWith(root) && !entry.includes('node-gyp-bin'))
    .join(delimiter)
  const env: NodeJS.ProcessEnv = {
    PATH: path,
    HOME: process.env.HOME,
    npm_config_update_notifier: 'false',
  }
  for (const name of ['npm_config_cache', 'NPM_CONFIG_CACHE', 'npm_config_registry']) {
    if (process.env[name] !== undefined) env[name] = process.env[name]
  }
  return { ...env, ...extra }
}

/** The machine's own Node (not the Node 24 our scripts run on): its path and version. */
export const machineNode = async (): Promise<{ path: string; version: string }> => {
  const found = await run('node', ['-p', 'JSON.stringify([process.execPath, process.version])'], {
    cwd: REPO_ROOT,
    env: consumerEnv(),
  })
  if (found.code !== 0) throw new Error(`no node on the machine's PATH: ${found.stderr}`)
  const [path, version] = JSON.parse(found.stdout) as [string, string]
  return { path, version }
}

/** An empty ES-module project, as `npm init` leaves one. */
export const emptyProject = async (dir: string): Promise<string> => {
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'tollgate-consumer', private: true, type: 'module' }),
  )
  return dir
}

/** `npm install` into `project` with the machine's npm and Node, from npm's cache where it can. */
export const npmInstall = (project: string, specs: readonly string[]): Promise<Run> =>
  run(
    'npm',
    ['install', ...specs, '--engine-strict', '--prefer-offline', '--no-audit', '--no-fund'],
    { cwd: project, env: consumerEnv(), timeoutMs: 180_000 },
  )

/** The installed packages of a project, by name, from npm's own record of its tree. */
export const installedPackages = async (project: string): Promise<string[]> => {
  const lock = JSON.parse(
    await readFile(join(project, 'node_modules', '.package-lock.json'), 'utf8'),
  ) as { packages: Record<string, unknown> }
  return Object.keys(lock.packages)
    .map((path) => path.replace(/^.*node_modules\//, ''))
    .sort()
}

/** Bytes of every file under `dir` (what the files hold, not the blocks they take). */
export const sizeOf = async (dir: string): Promise<number> => {
  const files = await readdir(dir, { recursive: true, withFileTypes: true })
  const sizes = await Promise.all(
    files
      .filter((entry) => entry.isFile())
      .map(async (entry) => (await stat(join(entry.parentPath, entry.name))).size),
  )
  return sizes.reduce((sum, size) => sum + size, 0)
}
