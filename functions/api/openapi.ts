import * as z from 'zod/mini'
import { ROUTES, type Route, routeKey } from '../core/routes.js'
import {
  API_TAGS,
  docOf,
  PATH_ID_DOCS,
  QUERY_PARAMETER_DOCS,
  type RouteDoc,
  routeNeeds,
} from './route-docs.js'
import * as api from './schemas.js'
import { type RouteSpec, specOf } from './spec.js'

type JsonObject = Record<string, unknown>

const jsonSchema = (schema: z.core.$ZodType, io: 'input' | 'output'): JsonObject => {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  })
  return rest
}

const PROBLEM = {
  description: 'RFC 9457 problem details with a stable `code`',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
}

const OAUTH_ERROR = {
  description: 'RFC 6749 §5.2 error: `{"error", "error_description"}`',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/OAuthError' } } },
}

/** Who proves what on a route: the route table's authorization, or OAuth's own (spec.oauth). */
const securityOf = (route: Route, spec: RouteSpec): JsonObject[] => {
  if (spec.oauth?.credential === 'bearer') return [{ bearer: [] }]
  // client_secret_post is a body field: not a security scheme, hence the empty alternative.
  if (spec.oauth?.credential === 'client') return [{ oauthClient: [] }, {}]
  return route.authorization === 'none' ? [] : [{ bearer: [] }]
}

/**
 * The OpenAPI 3.1 document of the API, generated from the route table and
 * the same zod schemas the handlers validate with, so it cannot describe
 * anything the code does not do (OpenAPI 3.1 schemas are JSON Schema 2020-12).
 *
 * @example
 * const document = buildOpenApiDocument('https://tollgate.example.com')
 */
export const buildOpenApiDocument = (serverUrl: string): JsonObject => {
  const paths: Record<string, Record<string, JsonObject>> = {}
  for (const route of ROUTES) {
    const spec = specOf(routeKey(route))
    if (spec === undefined) throw new Error(`${routeKey(route)} has no spec`)
    const doc = docOf(routeKey(route))
    if (doc === undefined) throw new Error(`${routeKey(route)} has no description`)
    paths[route.path] = {
      ...paths[route.path],
      [route.method.toLowerCase()]: operation(route, spec, doc),
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Tollgate',
      version: '0.1.0',
      description:
        'Long-lived access tokens in, short-lived scoped JWTs out. Every error is RFC 9457 `application/problem+json` with a stable `code`.',
      // The API is self-hosted: whoever runs this deployment answers for it, here.
      contact: { name: 'The operators of this Tollgate deployment', url: serverUrl },
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: serverUrl }],
    tags: API_TAGS.map(({ name, description }) => ({ name, description })),
    paths,
    components: {
      schemas: {
        Problem: jsonSchema(api.problem, 'output'),
        OAuthError: jsonSchema(api.oauthError, 'output'),
      },
      securitySchemes: {
        oauthClient: {
          type: 'http',
          scheme: 'basic',
          description:
            'client_secret_basic (RFC 6749 §2.3.1): the access token id and the access token, each form-urlencoded',
        },
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'A JWT from POST /access-tokens/jwt, or a person’s JWT from a trusted issuer',
        },
      },
    },
  }
}

const operation = (route: Route, spec: RouteSpec, doc: RouteDoc): JsonObject => {
  const parameters: JsonObject[] = [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    description: PATH_ID_DOCS[doc.tag] ?? `The ${name}.`,
    schema: { type: 'string' },
  }))
  for (const [name, schema] of Object.entries(spec.query?.shape ?? {})) {
    const description = QUERY_PARAMETER_DOCS[name]
    if (description === undefined) throw new Error(`query parameter ${name} has no description`)
    parameters.push({
      name,
      in: 'query',
      required: false,
      description,
      schema: jsonSchema(schema as z.core.$ZodType, 'input'),
    })
  }
  if (route.method === 'PATCH') {
    parameters.push({
      name: 'If-Match',
      in: 'header',
      required: true,
      schema: { type: 'string' },
      description: 'The ETag of the version read; 428 without, 412 when stale',
    })
  }
  const success: JsonObject = { description: 'Success' }
  if (spec.success.schema !== undefined) {
    success.content = { 'application/json': { schema: jsonSchema(spec.success.schema, 'output') } }
  }
  if (spec.etag === true && spec.success.status !== 204) {
    success.headers = {
      ETag: { schema: { type: 'string' }, description: 'The version, for If-Match' },
    }
  }
  return {
    operationId: `${route.method.toLowerCase()}${route.path.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
    summary: route.summary,
    description: `${doc.description}\n\n${doc.needs ?? routeNeeds(route)}`,
    tags: [doc.tag],
    security: securityOf(route, spec),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(spec.body === undefined
      ? {}
      : {
          requestBody: {
            required: true,
            content: {
              [spec.oauth === undefined ? 'application/json' : 'application/x-www-form-urlencoded']:
                { schema: jsonSchema(spec.body, 'input') },
            },
          },
        }),
    responses: {
      [String(spec.success.status)]: success,
      default: spec.oauth === undefined ? PROBLEM : OAUTH_ERROR,
    },
  }
}
