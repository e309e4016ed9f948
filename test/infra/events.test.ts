import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { REPO_ROOT } from '../../infra/bundling.js'
import { routedHandlers } from '../../infra/constructs/routes.js'
import { UNROUTED_HANDLERS } from './support/synth.js'

/**
 * `events/` is what `sam local invoke` feeds the synthesized functions, and
 * test/unit/events.test.ts runs every sample through its handler in-process.
 * This checks the other direction: every function the stack deploys has a
 * sample (key-rotation is deployed with KEY_SOURCE=secrets-manager).
 */
const deployedHandlers = [...routedHandlers(), ...UNROUTED_HANDLERS]
const samples = readdirSync(join(REPO_ROOT, 'events'))

describe('events/', () => {
  it.each(deployedHandlers)('has a sample event for %s', (handler) => {
    expect(
      samples.filter((file) => file.startsWith(`${handler}-`) && file.endsWith('.json')),
    ).not.toEqual([])
  })

  it('has no sample for a handler the stack does not deploy', () => {
    for (const file of samples) {
      expect(deployedHandlers.some((handler) => file.startsWith(`${handler}-`))).toBe(true)
    }
  })
})
