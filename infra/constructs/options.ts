/**
 * middy's `{ ...defaults, ...opts }`, with two guards a construct needs:
 * an option left `undefined` keeps its default (rather than erasing it), and
 * an unknown key is an error, so a misspelt `cacheTTL` fails synth instead of
 * being ignored (TypeScript only catches that for object literals).
 *
 * @example
 * const options = withDefaults('TollgateAuthorizer', DEFAULTS, props)
 */
export const withDefaults = <D extends object>(
  construct: string,
  defaults: D,
  options: object | undefined,
): D => {
  const given = Object.entries(options ?? {})
  const unknown = given.map(([key]) => key).filter((key) => !Object.hasOwn(defaults, key))
  if (unknown.length > 0) {
    const known = Object.keys(defaults).sort().join(', ')
    throw new Error(`${construct}: unknown option(s) ${unknown.join(', ')}; known: ${known}`)
  }
  return { ...defaults, ...Object.fromEntries(given.filter(([, value]) => value !== undefined)) }
}
