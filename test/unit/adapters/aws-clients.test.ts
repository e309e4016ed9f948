import { afterEach, describe, expect, it, vi } from 'vitest'
import { explicitEndpointConfig } from '../../../functions/adapters/aws-clients.js'

describe('explicitEndpointConfig', () => {
  afterEach(() => {
    vi.unstubAllEnvs()
  })

  it('gives an emulator on this machine a region and placeholder credentials', () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', undefined)
    vi.stubEnv('AWS_PROFILE', undefined)
    vi.stubEnv('AWS_REGION', 'eu-west-1')

    for (const endpoint of [
      'http://127.0.0.1:8000',
      'http://localhost:4566',
      'http://[::1]:9000',
    ]) {
      expect(explicitEndpointConfig(endpoint)).toEqual({
        endpoint,
        region: 'eu-west-1',
        credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      })
    }
  })

  it('keeps the SDK credential chain for a remote endpoint or configured credentials', () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', undefined)
    vi.stubEnv('AWS_PROFILE', undefined)
    expect(explicitEndpointConfig('https://dynamodb.eu-west-1.amazonaws.com')).not.toHaveProperty(
      'credentials',
    )

    vi.stubEnv('AWS_PROFILE', 'sso-dev')
    expect(explicitEndpointConfig('http://127.0.0.1:8000')).not.toHaveProperty('credentials')
  })

  it('adds nothing without an explicit endpoint', () => {
    expect(explicitEndpointConfig(undefined)).toEqual({})
  })
})
