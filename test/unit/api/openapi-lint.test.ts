import { type RulesetDefinition, Spectral } from '@stoplight/spectral-core'
import { oas } from '@stoplight/spectral-rulesets'
import { describe, expect, it } from 'vitest'
import { buildOpenApiDocument } from '../../../functions/api/openapi.js'

/**
 * The API reference people read (`GET /openapi.json`) passes Spectral's
 * `spectral:oas` ruleset, the linter most OpenAPI tooling runs: valid OpenAPI
 * 3.1, a contact, a tag and a description on every operation, no unused
 * component. Every finding fails the test, hints included.
 */
describe("GET /openapi.json under Spectral's spectral:oas ruleset", () => {
  it('draws no finding at all', async () => {
    const spectral = new Spectral()
    // The package's own ruleset object; its rule types are wider than RulesetDefinition admits.
    spectral.setRuleset({ extends: [oas as RulesetDefinition] })

    const findings = await spectral.run(buildOpenApiDocument('http://127.0.0.1:3000'))

    expect(
      findings.map(({ code, path, message }) => `${String(code)} at ${path.join('.')}: ${message}`),
    ).toEqual([])
  })
})
