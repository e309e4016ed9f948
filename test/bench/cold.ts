import { spawn } from 'node:child_process'
import { writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import type { Metafile } from 'esbuild'
import { REPO_ROOT } from '../../infra/bundling.js'

/** What a cold start loads of a bundle, from esbuild's metafile. */
export interface BundleSizes {
  /** Absolute path of the entry's output file. */
  readonly entryFile: string
  readonly coldFiles: number
  readonly coldBytes: number
  readonly lazyFiles: number
  readonly lazyBytes: number
  /** Source files of the dynamic-import targets, e.g. the DynamoDB adapters. */
  readonly lazyEntries: readonly string[]
  /** Node built-ins the cold-start files import (`node:crypto`, …). */
  readonly coldBuiltins: readonly string[]
  readonly coldInputs: ReadonlyArray<readonly [input: string, bytes: number]>
  readonly coldByPackage: ReadonlyArray<readonly [pkg: string, bytes: number]>
}

/** `node_modules/@scope/name/…` → `@scope/name`; own code → `(tollgate)`. */
const packageOf = (input: string): string => {
  const match = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)
  return match?.[1] ?? '(tollgate)'
}

const byBytes = (bytes: ReadonlyMap<string, number>) => [...bytes].sort((a, b) => b[1] - a[1])

/**
 * Cold-start set: the entry output plus every chunk reachable through static
 * `import-statement` edges (ESM loads all of those before the handler module
 * runs). Everything else in the output was only reachable through `import()`.
 */
export const bundleSizes = (metafile: Metafile, entry: string): BundleSizes => {
  const outputs = metafile.outputs
  const entryKey = Object.keys(outputs).find((key) => outputs[key]?.entryPoint === entry)
  if (entryKey === undefined) throw new Error(`no output for ${entry} in the metafile`)
  const cold = new Set<string>([entryKey])
  const lazyEntries = new Set<string>()
  const builtins = new Set<string>()
  const queue = [entryKey]
  for (let key = queue.pop(); key !== undefined; key = queue.pop()) {
    for (const edge of outputs[key]?.imports ?? []) {
      if (edge.external === true) {
        if (edge.kind === 'import-statement') builtins.add(edge.path)
        continue
      }
      if (edge.kind === 'import-statement' && !cold.has(edge.path)) {
        cold.add(edge.path)
        queue.push(edge.path)
      } else if (edge.kind === 'dynamic-import') {
        lazyEntries.add(outputs[edge.path]?.entryPoint ?? edge.path)
      }
    }
  }
  let coldBytes = 0
  let lazyBytes = 0
  let lazyFiles = 0
  const coldInputs = new Map<string, number>()
  const coldPackages = new Map<string, number>()
  for (const [key, output] of Object.entries(outputs)) {
    if (!cold.has(key)) {
      lazyBytes += output.bytes
      lazyFiles++
      continue
    }
    coldBytes += output.bytes
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      coldInputs.set(input, (coldInputs.get(input) ?? 0) + bytesInOutput)
      const pkg = packageOf(input)
      coldPackages.set(pkg, (coldPackages.get(pkg) ?? 0) + bytesInOutput)
    }
  }
  return {
    entryFile: resolve(REPO_ROOT, entryKey),
    coldFiles: cold.size,
    coldBytes,
    lazyFiles,
    lazyBytes,
    lazyEntries: [...lazyEntries].sort(),
    coldBuiltins: [...builtins].sort(),
    coldInputs: byBytes(coldInputs),
    coldByPackage: byBytes(coldPackages),
  }
}

/**
 * The child's whole program: import the handler module (argv[2]), then, if
 * an event is given (argv[3], JSON), call it once with a Lambda-like context.
 * `performance.now()` counts from the process's time origin, so its first
 * reading is Node's own start-up up to user code. It imports nothing itself
 * (node:fs alone loads stream code the handler might not need), and exits
 * at once, so keep-alive sockets of SDK clients do not hold the process.
 */
const HANDLER_CHILD = `const started = performance.now()
const { handler } = await import(process.argv[2])
const imported = performance.now()
let firstCallMs, answer
if (process.argv[3] !== undefined) {
  const event = JSON.parse(process.argv[3])
  const context = { awsRequestId: 'cold-start', functionName: 'cold', functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:cold', memoryLimitInMB: '512',
    getRemainingTimeInMillis: () => 10_000 }
  answer = await handler(event, context)
  firstCallMs = performance.now() - imported
}
process.stdout.write(JSON.stringify({ node: process.version, bootMs: started,
  importMs: imported - started, firstCallMs, answer }))
process.exit(0)
`

/** The same start-up, importing an empty module: what any Lambda pays before its code. */
const BASELINE_CHILD = `const started = performance.now()
await import(process.argv[2])
const imported = performance.now()
process.stdout.write(JSON.stringify({ node: process.version, bootMs: started,
  importMs: imported - started }))
process.exit(0)
`

export interface ChildReport {
  readonly node: string
  readonly bootMs: number
  readonly importMs: number
  readonly firstCallMs?: number
  readonly answer?: unknown
  /** From spawn() until the process exited, as the parent saw it. */
  readonly wallMs: number
}

export interface ColdHarness {
  /** Starts a fresh Node process that imports `moduleFile` and, given an event, calls its handler. */
  runHandler(
    moduleFile: string,
    event: unknown,
    env: Readonly<Record<string, string>>,
  ): Promise<ChildReport>
  /** Starts a fresh Node process that imports an empty module. */
  runBaseline(): Promise<ChildReport>
}

/**
 * Child processes on the Node that runs the bench (the pinned Node 24), in
 * `workDir`, with only the given environment (plus PATH): no stray AWS or
 * Tollgate variables from the parent leak in.
 */
export const coldHarness = async (workDir: string): Promise<ColdHarness> => {
  const handlerChild = join(workDir, 'bench-cold-handler.mjs')
  const baselineChild = join(workDir, 'bench-cold-baseline.mjs')
  const emptyModule = join(workDir, 'bench-cold-empty.mjs')
  await writeFile(handlerChild, HANDLER_CHILD)
  await writeFile(baselineChild, BASELINE_CHILD)
  await writeFile(emptyModule, 'export {}\n')
  const run = (args: readonly string[], env: Readonly<Record<string, string>>) =>
    new Promise<ChildReport>((resolvePromise, reject) => {
      const started = performance.now()
      let exitedAt = Number.NaN
      const child = spawn(process.execPath, args, {
        cwd: workDir,
        env: { PATH: process.env.PATH ?? '', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      })
      let stdout = ''
      let stderr = ''
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
        stdout += chunk
      })
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk
      })
      child.once('error', reject)
      child.once('exit', () => {
        exitedAt = performance.now()
      })
      child.once('close', (code) => {
        if (code !== 0) {
          reject(new Error(`cold-start child exited with ${code}: ${stderr.slice(0, 2000)}`))
          return
        }
        try {
          const report = JSON.parse(stdout) as Omit<ChildReport, 'wallMs'>
          resolvePromise({ ...report, wallMs: exitedAt - started })
        } catch (error) {
          reject(
            new Error(`cold-start child printed no report: ${stdout.slice(0, 500)}`, {
              cause: error,
            }),
          )
        }
      })
    })
  return {
    runHandler: (moduleFile, event, env) =>
      run([handlerChild, moduleFile, ...(event === undefined ? [] : [JSON.stringify(event)])], env),
    runBaseline: () => run([baselineChild, emptyModule], {}),
  }
}

export const kB = (bytes: number): number => Math.round(bytes / 100) / 10
