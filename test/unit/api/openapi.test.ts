import { describe, expect, it } from 'vitest'
import { buildOpenApiDocument } from '../../../functions/api/openapi.js'
import { API_TAGS, docOf, ROUTE_DOCS } from '../../../functions/api/route-docs.js'
import { ROUTE_SPECS } from '../../../functions/api/spec.js'
import { ROUTES, routeKey } from '../../../functions/core/routes.js'
import { createOpenapiHandler } from '../../../functions/handlers/openapi.js'
import { lambdaContext } from '../../support/lambda.js'

type Operation = {
  summary: string
  description: string
  tags: string[]
  security: unknown[]
  parameters?: Array<{ name: string; in: string; required: boolean }>
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> }
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>
}
const document = buildOpenApiDocument('https://tollgate.example.com') as {
  openapi: string
  servers: Array<{ url: string }>
  paths: Record<string, Record<string, Operation>>
}
const documented = Object.entries(document.paths).flatMap(([path, methods]) =>
  Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`),
)

describe('buildOpenApiDocument', () => {
  it('documents every route of the route table, and nothing else', () => {
    expect(document.openapi).toBe('3.1.0')
    expect(documented.sort()).toEqual(ROUTES.map(routeKey).sort())
    expect(Object.keys(ROUTE_SPECS).sort()).toEqual(ROUTES.map(routeKey).sort())
  })

  it('tags and describes every operation from route-docs.ts, as docs/api.md is', () => {
    for (const route of ROUTES) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()]
      const doc = docOf(routeKey(route))
      expect(operation?.tags, routeKey(route)).toEqual([doc?.tag])
      expect(operation?.description.startsWith(`${doc?.description}\n\n`), routeKey(route)).toBe(
        true,
      )
    }
    const used = new Set(Object.values(ROUTE_DOCS).map((doc) => doc.tag))
    expect(API_TAGS.map((tag) => tag.name).filter((name) => !used.has(name))).toEqual([])
  })

  it('leaves dev-only routes out', () => {
    expect(Object.keys(document.paths).some((path) => path.startsWith('/dev'))).toBe(false)
  })

  it('gives each route its path parameters, its query, its body and its answer schema', () => {
    const create = document.paths['/access-tokens']?.post
    const list = document.paths['/access-tokens']?.get
    const patch = document.paths['/access-tokens/{id}']?.patch

    expect(create?.requestBody?.content['application/json']?.schema).toMatchObject({
      type: 'object',
      required: ['name'],
      additionalProperties: false,
    })
    expect(create?.responses['201']?.content?.['application/json']?.schema).toMatchObject({
      properties: { token: { type: 'string' } },
    })
    expect(list?.parameters?.map((p) => p.name)).toEqual([
      'limit',
      'cursor',
      'owner',
      'name',
      'status',
    ])
    expect(patch?.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'id', in: 'path', required: true }),
        expect.objectContaining({ name: 'If-Match', in: 'header', required: true }),
      ]),
    )
  })

  it('marks public routes without security and the others with bearer', () => {
    expect(document.paths['/access-tokens/jwt']?.post?.security).toEqual([])
    expect(document.paths['/service-accounts']?.get?.security).toEqual([{ bearer: [] }])
  })

  it('is served as JSON at GET /openapi.json with the issuer as server', async () => {
    const handler = createOpenapiHandler(
      async () => ({ config: { issuer: 'http://127.0.0.1:3000' } }) as never,
    )

    const response = await handler(
      {
        version: '2.0',
        routeKey: 'GET /openapi.json',
        rawPath: '/openapi.json',
        rawQueryString: '',
        headers: {},
        requestContext: { requestId: 'r', http: { method: 'GET', sourceIp: '127.0.0.1' } },
        isBase64Encoded: false,
      } as never,
      lambdaContext('tollgate-openapi'),
    )

    expect(response.statusCode).toBe(200)
    expect(JSON.parse(response.body).servers).toEqual([{ url: 'http://127.0.0.1:3000' }])
  })
})
