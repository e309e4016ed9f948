import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

/**
 * The layers of functions/ (and infra/, which deploys them), and what each
 * may import besides itself: docs/layers.md says why. Imports only point
 * down this list; a layer missing here fails the test below, so a new
 * folder has to be placed before it can be used.
 */
const ALLOWED_IMPORTS = {
  core: [],
  api: ['core'],
  client: ['core', 'api'],
  adapters: ['core'],
  wiring: ['core', 'adapters'],
  operations: ['core', 'adapters', 'wiring'],
  handlers: ['core', 'api', 'wiring'],
  entries: ['core', 'wiring', 'operations', 'handlers'],
  local: ['core', 'api', 'adapters', 'wiring', 'operations', 'handlers'],
  cli: ['core', 'api', 'client', 'wiring', 'operations', 'local'],
  infra: ['core', 'adapters'],
} as const satisfies Readonly<Record<string, readonly string[]>>

type Layer = keyof typeof ALLOWED_IMPORTS

/** Where the AWS SDK may be imported: never in the rules, the wire contract, the thin edges. */
const AWS_SDK_LAYERS: readonly Layer[] = ['adapters', 'wiring', 'operations', 'local', 'infra']

/**
 * Who may read process.env: the Lambda entries (once, at init), the dev
 * server and the CLI, and the AWS client settings (region, credentials).
 * Everything else is given its config, so importing it has no side effect.
 */
const PROCESS_ENV_LAYERS: readonly Layer[] = ['entries', 'local', 'cli', 'adapters']

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url))
const FUNCTIONS = 'functions'
const PROCESS_ENV = /\bprocess\s*(?:\.\s*env\b|\[\s*['"`]env['"`]\s*\])/

/** Every module a source imports or re-exports, type-only and dynamic imports included. */
const importsOf = (source: string): string[] =>
  ts.preProcessFile(source, true, true).importedFiles.map((file) => file.fileName)

/** Source without comments, so a TSDoc `@example` reading process.env is no dependency. */
const codeOf = (source: string): string =>
  source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"\\])\/\/.*$/gm, '$1')

interface SourceFile {
  /** Relative to the repository root, `/`-separated: `functions/core/ports.ts`. */
  readonly path: string
  readonly source: string
}

const sourceFiles = (): SourceFile[] =>
  [FUNCTIONS, 'infra'].flatMap((top) =>
    readdirSync(join(REPO_ROOT, top), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .map((file) => {
        const path = `${top}/${file.split(sep).join('/')}`
        return { path, source: readFileSync(join(REPO_ROOT, path), 'utf8') }
      }),
  )

/** `functions/<layer>/…` or `infra/…`; undefined for anything else (node_modules, tests). */
const layerOf = (path: string): string | undefined => {
  const [top, folder] = path.split('/')
  if (top === 'infra') return 'infra'
  return top === FUNCTIONS ? folder : undefined
}

/** A relative specifier as the file it names (`./x.js` is `x.ts` under NodeNext). */
const resolveImport = (from: string, specifier: string): string | undefined =>
  specifier.startsWith('.')
    ? relative(REPO_ROOT, resolve(REPO_ROOT, dirname(from), specifier))
        .split(sep)
        .join('/')
        .replace(/\.js$/, '.ts')
    : undefined

/** Each file and the files it imports (relative imports only). */
const moduleGraph = (files: readonly SourceFile[]): Map<string, string[]> =>
  new Map(
    files.map(({ path, source }) => [
      path,
      importsOf(source).flatMap((specifier) => resolveImport(path, specifier) ?? []),
    ]),
  )

/** Strongly connected components with more than one node, or a node importing itself (Tarjan). */
const cyclesOf = (graph: ReadonlyMap<string, readonly string[]>): string[][] => {
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const cycles: string[][] = []
  const visit = (node: string): void => {
    index.set(node, index.size)
    low.set(node, index.get(node) ?? 0)
    stack.push(node)
    onStack.add(node)
    for (const next of graph.get(node) ?? []) {
      if (!graph.has(next)) continue
      if (!index.has(next)) {
        visit(next)
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0))
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(next) ?? 0))
      }
    }
    if (low.get(node) !== index.get(node)) return
    const component: string[] = []
    let member: string | undefined
    do {
      member = stack.pop()
      if (member === undefined) break
      onStack.delete(member)
      component.push(member)
    } while (member !== node)
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) {
      cycles.push(component.sort())
    }
  }
  for (const node of graph.keys()) if (!index.has(node)) visit(node)
  return cycles
}

/** The graph of layers: an edge for every import from one layer into another. */
const layerGraph = (graph: ReadonlyMap<string, readonly string[]>): Map<string, string[]> => {
  const edges = new Map<string, Set<string>>()
  for (const [file, imports] of graph) {
    const from = layerOf(file)
    if (from === undefined) continue
    for (const imported of imports) {
      const to = layerOf(imported)
      if (to === undefined || to === from) continue
      edges.set(from, (edges.get(from) ?? new Set()).add(to))
    }
  }
  return new Map([...edges].map(([from, to]) => [from, [...to]]))
}

const isLayer = (name: string | undefined): name is Layer =>
  name !== undefined && Object.hasOwn(ALLOWED_IMPORTS, name)

/** `<file> imports <file>` for every import its layer may not make. */
const upwardImports = (graph: ReadonlyMap<string, readonly string[]>): string[] =>
  [...graph].flatMap(([file, imports]) => {
    const from = layerOf(file)
    if (!isLayer(from)) return []
    const allowed: readonly string[] = ALLOWED_IMPORTS[from]
    return imports
      .filter((imported) => {
        const to = layerOf(imported)
        return to !== undefined && to !== from && !allowed.includes(to)
      })
      .map((imported) => `${file} imports ${imported}`)
  })

const files = sourceFiles()
const graph = moduleGraph(files)

describe('the architecture check', () => {
  it('finds static, type-only, re-exported and dynamic imports, not those in comments', () => {
    // Prepare
    const source = [
      "import { a } from './a.js'",
      "import type { B } from '../b.js'",
      "export { c } from './c.js'",
      "const d = await import('./d.js')",
      "// import { e } from './e.js'",
      "/** @example import { f } from './f.js' */",
    ].join('\n')

    // Act
    const found = importsOf(source)

    // Assess
    expect(found).toEqual(['./a.js', '../b.js', './c.js', './d.js'])
  })

  it('flags an import into a layer not allowed, and nothing else', () => {
    // Prepare
    const sample = new Map([
      ['functions/core/a.ts', ['functions/core/b.ts']],
      ['functions/adapters/x.ts', ['functions/core/a.ts', 'functions/wiring/y.ts']],
      ['functions/wiring/y.ts', ['functions/adapters/x.ts']],
    ])

    // Act and assess
    expect(upwardImports(sample)).toEqual(['functions/adapters/x.ts imports functions/wiring/y.ts'])
  })

  it('finds a cycle of files however long, and a file importing itself', () => {
    // Prepare
    const sample = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts', 'd.ts']],
      ['d.ts', []],
      ['e.ts', ['e.ts']],
    ])

    // Act and assess
    expect(cyclesOf(sample)).toEqual([['a.ts', 'b.ts', 'c.ts'], ['e.ts']])
  })

  it('resolves what it scans: every relative import names a source file', () => {
    // Act
    const unresolved = [...graph].flatMap(([file, imports]) =>
      imports
        .filter((imported) => imported.startsWith(`${FUNCTIONS}/`) && !graph.has(imported))
        .map((imported) => `${file} imports ${imported}`),
    )

    // Assess
    expect(unresolved).toEqual([])
    expect(graph.size).toBeGreaterThan(100)
  })
})

describe('the layers', () => {
  it('are themselves in an order: the allowed imports form no cycle', () => {
    // Act and assess
    expect(cyclesOf(new Map(Object.entries(ALLOWED_IMPORTS)))).toEqual([])
  })

  it('place every folder of functions/', () => {
    // Act
    const unplaced = readdirSync(join(REPO_ROOT, FUNCTIONS), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !isLayer(entry.name))
      .map((entry) => entry.name)

    // Assess
    expect(unplaced).toEqual([])
  })

  it.each(Object.keys(ALLOWED_IMPORTS) as Layer[])(
    '%s imports only from the layers below it that it may use',
    (layer) => {
      // Act
      const own = new Map([...graph].filter(([file]) => layerOf(file) === layer))
      const violations = upwardImports(own)

      // Assess
      expect(violations).toEqual([])
    },
  )

  it('import each other without a cycle', () => {
    // Act and assess
    expect(cyclesOf(layerGraph(graph))).toEqual([])
  })
})

describe('the modules', () => {
  it('import each other without a cycle', () => {
    // Act and assess
    expect(cyclesOf(graph)).toEqual([])
  })

  it('load the AWS SDK only in adapters, compositions, operator tasks, the dev server and infra', () => {
    // Act
    const violations = files
      .filter(({ path }) => {
        const layer = layerOf(path)
        return isLayer(layer) && !AWS_SDK_LAYERS.includes(layer)
      })
      .flatMap(({ path, source }) =>
        importsOf(source)
          .filter((specifier) => specifier.startsWith('@aws-sdk/'))
          .map((specifier) => `${path} imports ${specifier}`),
      )

    // Assess
    expect(violations).toEqual([])
  })

  it('read process.env only at the edges: Lambda entries, the dev server, the CLI, AWS clients', () => {
    // Act
    const violations = files
      .filter(({ path }) => {
        const layer = layerOf(path)
        return isLayer(layer) && layer !== 'infra' && !PROCESS_ENV_LAYERS.includes(layer)
      })
      .filter(({ source }) => PROCESS_ENV.test(codeOf(source)))
      .map(({ path }) => path)

    // Assess
    expect(violations).toEqual([])
  })
})
