import type { Route } from '../core/routes.js'

export interface CompiledRoute<H> {
  readonly route: Route
  readonly pattern: RegExp
  readonly parameterNames: readonly string[]
  readonly handle: H
}

export interface RouteMatch<H> {
  readonly compiled: CompiledRoute<H>
  readonly pathParameters: Readonly<Record<string, string>>
}

/** A route's path as a pattern: `{name}` matches one non-empty segment. */
export const compileRoute = <H>(route: Route, handle: H): CompiledRoute<H> => {
  const parameterNames: string[] = []
  const source = route.path
    .split('/')
    .map((segment) => {
      const parameter = /^\{(\w+)\}$/.exec(segment)?.[1]
      if (parameter === undefined) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      parameterNames.push(parameter)
      return '([^/]+)'
    })
    .join('/')
  return { route, pattern: new RegExp(`^${source}$`), parameterNames, handle }
}

/**
 * The route for this method and raw path with its decoded path parameters;
 * undefined when none matches, null when one matches but a parameter is not
 * valid %-encoding (a bad request, as API Gateway answers it, not a crash).
 */
export const matchRoute = <H>(
  routes: readonly CompiledRoute<H>[],
  method: string,
  path: string,
): RouteMatch<H> | null | undefined => {
  for (const compiled of routes) {
    if (compiled.route.method !== method) continue
    const match = compiled.pattern.exec(path)
    if (match === null) continue
    const pathParameters: Record<string, string> = {}
    for (const [index, name] of compiled.parameterNames.entries()) {
      const value = decodePathSegment(match[index + 1] ?? '')
      if (value === undefined) return null
      pathParameters[name] = value
    }
    return { compiled, pathParameters }
  }
  return undefined
}

const decodePathSegment = (segment: string): string | undefined => {
  try {
    return decodeURIComponent(segment)
  } catch {
    return undefined
  }
}
