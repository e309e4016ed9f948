import { describe, expect, it } from 'vitest'

describe('runtime', () => {
  it('runs on Node 24, the Lambda nodejs24.x runtime', () => {
    expect(process.versions.node.split('.')[0]).toBe('24')
  })
})
