import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { API_PAGE, referenceBlock, renderRouteReference } from './api-reference.js'

describe('the route reference of docs/api.md', () => {
  it('is rendered from the route table and route-docs.ts (npx tsx test/docs/api-reference.ts redoes it)', async () => {
    expect(referenceBlock(await readFile(API_PAGE, 'utf8'))).toBe(renderRouteReference())
  })
})
