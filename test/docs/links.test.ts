import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

/**
 * Every relative link in README.md and docs/*.md leads somewhere: to a file
 * or directory of the repository and, for `#anchor` links into Markdown, to
 * a heading of that page as GitHub slugs it. Links with a scheme (https:,
 * mailto:) are not followed: this test needs no network. Citations of a page
 * in the code (`docs/design.md#keys` in a comment) are held to the same rule.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url))

const PAGES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
]

/** The lines of a page outside fenced code blocks, where links and headings live. */
const proseLines = (text: string): string[] => {
  const lines: string[] = []
  let fence: string | undefined
  for (const line of text.split('\n')) {
    const marker = /^ {0,3}(`{3,}|~{3,})/.exec(line)?.[1]
    if (marker !== undefined && (fence === undefined || marker.startsWith(fence))) {
      fence = fence === undefined ? marker : undefined
      continue
    }
    if (fence === undefined) lines.push(line)
  }
  return lines
}

/**
 * A heading's anchor as GitHub makes it (github-slugger): lower case, every
 * character but letters, digits, marks, spaces, `-` and `_` dropped, spaces
 * turned into `-`.
 */
const slug = (heading: string): string =>
  heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-')

/** The anchors of a page: its headings' slugs (repeats numbered as GitHub does) and HTML ids. */
const anchorsOf = (text: string): Set<string> => {
  const anchors = new Set<string>()
  const seen = new Map<string, number>()
  for (const line of proseLines(text)) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)?.[1]
    if (heading !== undefined) {
      const base = slug(heading)
      const count = seen.get(base) ?? 0
      seen.set(base, count + 1)
      anchors.add(count === 0 ? base : `${base}-${count}`)
    }
    for (const [, id] of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(id as string)
  }
  return anchors
}

/** Link targets of a page: inline `[text](target)` and reference definitions, outside code. */
const linkTargets = (text: string): string[] => {
  const targets: string[] = []
  for (const line of proseLines(text)) {
    const prose = line.replace(/`[^`]*`/g, '')
    for (const [, target] of prose.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      targets.push(target as string)
    }
    const definition = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/.exec(prose)?.[1]
    if (definition !== undefined) targets.push(definition)
  }
  return targets
}

/** Why a link from `page` is dead, or undefined when it leads somewhere. */
const deadReason = (page: string, target: string): string | undefined => {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined
  const [pathPart = '', anchor] = target.split('#', 2)
  const path = decodeURIComponent(pathPart)
  const file = path === '' ? join(ROOT, page) : join(ROOT, dirname(page), path)
  if (
    !relative(ROOT, file)
      .split(/[\\/]/)
      .every((part) => part !== '..')
  ) {
    return 'points outside the repository'
  }
  if (!existsSync(file)) return 'no such file'
  if (anchor === undefined || anchor === '' || !file.endsWith('.md')) return undefined
  if (statSync(file).isDirectory()) return undefined
  return anchorsOf(readFileSync(file, 'utf8')).has(anchor) ? undefined : 'no such heading'
}

/** Every `.ts` file under a directory, recursively (node_modules aside). */
const sourcesUnder = (dir: string): string[] =>
  readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourcesUnder(path)
    return entry.name.endsWith('.ts') ? [path] : []
  })

describe('links in README.md and docs/', () => {
  it('finds the pages', () => {
    expect(PAGES).toContain('README.md')
    expect(PAGES).toContain('docs/design.md')
  })

  it('leads every relative link to a file and every #anchor to a heading', () => {
    const dead = PAGES.flatMap((page) =>
      linkTargets(readFileSync(join(ROOT, page), 'utf8')).flatMap((target) => {
        const reason = deadReason(page, target)
        return reason === undefined ? [] : [`${page}: (${target}) ${reason}`]
      }),
    )
    expect(dead).toEqual([])
  })

  it('leads every docs/*.md citation in the code (comments included) to a page and heading', () => {
    // This file is left out: it cites dead pages on purpose, below.
    const sources = ['functions', 'infra', 'test']
      .flatMap(sourcesUnder)
      .filter((source) => source !== 'test/docs/links.test.ts')
    const dead = sources.flatMap((source) =>
      [...readFileSync(join(ROOT, source), 'utf8').matchAll(/\bdocs\/[\w-]+\.md(?:#[\w-]+)?/g)]
        .map(([citation]) => citation)
        .flatMap((citation) => {
          const reason = deadReason('README.md', citation)
          return reason === undefined ? [] : [`${source}: ${citation} ${reason}`]
        }),
    )
    expect(dead).toEqual([])
  })

  it('reads what a dead link looks like (the check is not vacuous)', () => {
    const page = [
      '# A page',
      '[fine](#a-page) [gone](#nowhere) [file](missing.md) [web](https://example.com)',
      '`[in code](nope.md)`',
      '```',
      '[in a fence](nope.md)',
      '```',
    ].join('\n')
    const targets = linkTargets(page)
    expect(targets).toEqual(['#a-page', '#nowhere', 'missing.md', 'https://example.com'])
    expect(anchorsOf(page)).toEqual(new Set(['a-page']))
    expect(deadReason('docs/design.md', 'missing.md')).toBe('no such file')
    expect(deadReason('docs/design.md', '../../outside.md')).toBe('points outside the repository')
    expect(deadReason('README.md', 'docs/design.md#keys')).toBeUndefined()
    expect(deadReason('README.md', 'docs/design.md#no-such-heading')).toBe('no such heading')
  })

  it('slugs headings as GitHub does', () => {
    expect(slug('`TollgateAuthorizer` in your own CDK app')).toBe(
      'tollgateauthorizer-in-your-own-cdk-app',
    )
    expect(slug('KMS key rotation (`KMS_KEY_IDS`)')).toBe('kms-key-rotation-kms_key_ids')
    expect(slug("Tollgate's own protected routes")).toBe('tollgates-own-protected-routes')
    expect(slug('The exchange: `POST /access-tokens/jwt`')).toBe(
      'the-exchange-post-access-tokensjwt',
    )
    expect(slug('1. The HTTP API')).toBe('1-the-http-api')
  })
})
