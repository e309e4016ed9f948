import { readFile, writeFile } from 'node:fs/promises'
import { pathToFileURL } from 'node:url'
import * as z from 'zod/mini'
import { API_TAGS, docOf } from '../../functions/api/route-docs.js'
import { specOf } from '../../functions/api/spec.js'
import { ROUTES, type Route, routeKey } from '../../functions/core/routes.js'

/**
 * The route reference of docs/api.md, rendered from the same sources as
 * `GET /openapi.json`: the route table (summaries, scopes), the route specs
 * (bodies, queries, answers) and functions/api/route-docs.ts (tags,
 * descriptions). `npx tsx test/docs/api-reference.ts` rewrites the block;
 * test/docs/api-reference.test.ts fails when it is stale.
 */

export const API_PAGE = new URL('../../docs/api.md', import.meta.url)
export const REFERENCE_BEGIN =
  '<!-- route-reference:begin (written by npx tsx test/docs/api-reference.ts from functions/api/route-docs.ts; do not edit) -->'
export const REFERENCE_END = '<!-- route-reference:end -->'

const cell = (text: string): string => {
  if (/[|\n]/.test(text)) throw new Error(`a table cell cannot hold "|" or a newline: ${text}`)
  return text
}

/** Who may call a route, as the route table says. */
const needs = (route: Route): string => {
  const oauth = specOf(routeKey(route))?.oauth
  if (oauth !== undefined) {
    return oauth.credential === 'bearer' ? '`tokens:introspect` (bearer)' : 'an OAuth client'
  }
  if (route.authorization === 'none') return 'public'
  if (route.authorization === 'authorizer') return 'any valid JWT, through the Lambda authorizer'
  if (route.scopes === undefined) return 'any valid JWT'
  const scopes = route.scopes.map((scope) => `\`${scope}\``).join(' + ')
  return route.selfService === true ? `${scopes}, or a person for their own tokens` : scopes
}

/** `{name, description?}` from a body schema: its fields, optional ones marked. */
const fields = (schema: z.core.$ZodType): string => {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, unknown>
    required?: string[]
  }
  const required = new Set(json.required ?? [])
  const names = Object.keys(json.properties ?? {}).map((name) =>
    required.has(name) ? name : `${name}?`,
  )
  return `\`{${names.join(', ')}}\``
}

/** What a route takes (body or query) and answers (status, ETag, no-store). */
const exchange = (route: Route): string => {
  const spec = specOf(routeKey(route))
  if (spec === undefined) throw new Error(`${routeKey(route)} has no spec`)
  const takes: string[] = []
  if (route.method === 'PATCH') takes.push('`If-Match`')
  if (spec.body !== undefined) takes.push(fields(spec.body))
  const query = Object.keys(spec.query?.shape ?? {})
  if (query.length > 0) takes.push(`\`?${query.join('&')}\``)
  const answers = [String(spec.success.status)]
  if (spec.etag === true && spec.success.status !== 204) answers.push('`ETag`')
  if (spec.secret === true) answers.push('`no-store`')
  return `${takes.length > 0 ? `${takes.join(' ')} → ` : ''}${answers.join(', ')}`
}

/** The Markdown between the markers: one table per tag, in the tags' order. */
export const renderRouteReference = (): string => {
  const lines: string[] = []
  for (const tag of API_TAGS) {
    lines.push(`### ${tag.name}`, '', tag.description, '')
    lines.push('| route | needs | takes → answers | what it does |', '| --- | --- | --- | --- |')
    for (const route of ROUTES) {
      const doc = docOf(routeKey(route))
      if (doc === undefined) throw new Error(`${routeKey(route)} has no description`)
      if (doc.tag !== tag.name) continue
      lines.push(
        `| \`${routeKey(route)}\` | ${cell(needs(route))} | ${cell(exchange(route))} | ${cell(doc.description)} |`,
      )
    }
    lines.push('')
  }
  return lines.join('\n').trimEnd()
}

/** The generated block of a page, or undefined without markers. */
export const referenceBlock = (page: string): string | undefined => {
  const begin = page.indexOf(REFERENCE_BEGIN)
  const end = page.indexOf(REFERENCE_END)
  if (begin === -1 || end < begin) return undefined
  return page.slice(begin + REFERENCE_BEGIN.length, end).trim()
}

const main = async (): Promise<void> => {
  const page = await readFile(API_PAGE, 'utf8')
  const begin = page.indexOf(REFERENCE_BEGIN)
  const end = page.indexOf(REFERENCE_END)
  if (begin === -1 || end < begin) throw new Error('docs/api.md has no route-reference block')
  const block = `\n${renderRouteReference()}\n`
  await writeFile(
    API_PAGE,
    `${page.slice(0, begin + REFERENCE_BEGIN.length)}${block}${page.slice(end)}`,
  )
  console.log('wrote the route reference of docs/api.md')
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main()
}
