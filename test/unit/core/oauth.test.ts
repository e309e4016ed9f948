import { describe, expect, it } from 'vitest'
import { clientAuthenticationOf, OAuthError } from '../../../functions/core/oauth.js'

const basic = (raw: string) => `Basic ${Buffer.from(raw).toString('base64')}`

const refusal = (run: () => unknown): OAuthError => {
  try {
    run()
  } catch (error) {
    if (error instanceof OAuthError) return error
    throw error
  }
  throw new Error('expected a refusal')
}

describe('clientAuthenticationOf', () => {
  it('form-decodes both parts of Basic credentials (RFC 6749 §2.3.1)', () => {
    // Act
    const client = clientAuthenticationOf(basic('my%20id:s%2Bcr+t%3A'), {})

    // Assess
    expect(client).toEqual({
      method: 'client_secret_basic',
      clientId: 'my id',
      clientSecret: 's+cr t:',
    })
  })

  it('reads client_secret_post, and a bare client_id as no authentication', () => {
    expect(clientAuthenticationOf(undefined, { client_id: 'a', client_secret: 'b' })).toEqual({
      method: 'client_secret_post',
      clientId: 'a',
      clientSecret: 'b',
    })
    expect(clientAuthenticationOf(undefined, { client_id: 'a' })).toEqual({
      method: 'none',
      clientId: 'a',
    })
  })

  it('refuses both methods at once as invalid_request', () => {
    const error = refusal(() => clientAuthenticationOf(basic('a:b'), { client_secret: 'b' }))

    expect(error.code).toBe('invalid_request')
  })

  it('refuses a body client_id that differs from Basic’s', () => {
    const error = refusal(() => clientAuthenticationOf(basic('a:b'), { client_id: 'c' }))

    expect(error.code).toBe('invalid_request')
  })

  it.each([
    ['another scheme', 'Bearer a.b.c'],
    ['no colon', basic('ab')],
    ['not base64', 'Basic ***'],
    ['bad percent-encoding', basic('a:%zz')],
  ])('refuses %s as invalid_client, saying Basic', (_name, authorization) => {
    const error = refusal(() => clientAuthenticationOf(authorization, {}))

    expect([error.code, error.basic]).toEqual(['invalid_client', true])
  })

  it('refuses client_secret without client_id as invalid_client', () => {
    const error = refusal(() => clientAuthenticationOf(undefined, { client_secret: 'b' }))

    expect([error.code, error.basic]).toEqual(['invalid_client', false])
  })
})
