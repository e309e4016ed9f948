import { describe, expect, it } from 'vitest'
import {
  awsErrorName,
  isAwsOutage,
  translateAwsError,
} from '../../../functions/adapters/aws-errors.js'
import { TollgateError } from '../../../functions/core/errors.js'

const sdkError = (name: string, status?: number, fault: 'client' | 'server' = 'client') =>
  Object.assign(new Error(`${name}: arn:aws:kms:us-east-1:123456789012:key/abc`), {
    name,
    $fault: fault,
    $metadata: status === undefined ? {} : { httpStatusCode: status },
  })

describe('Function: translateAwsError', () => {
  it.each([
    ['KMS throttling', sdkError('ThrottlingException', 400)],
    ['Secrets Manager throttling', sdkError('ThrottlingException', 400)],
    ['a KMS internal error', sdkError('KMSInternalException', 500, 'server')],
    ['a dependency timeout', sdkError('DependencyTimeoutException', 503, 'server')],
    ['a key KMS says to retry', sdkError('KeyUnavailableException', 500, 'server')],
    ['any 5xx', sdkError('SomethingNew', 502, 'server')],
    ['a 429', sdkError('SomethingNew', 429)],
    ['a client timeout', Object.assign(new Error('timeout'), { name: 'TimeoutError' })],
    ['a refused connection', Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })],
    [
      'an outage wrapped by Powertools',
      Object.assign(new Error('wrapped'), {
        name: 'GetParameterError',
        cause: sdkError('InternalServiceError', 500, 'server'),
      }),
    ],
  ])('makes %s unavailable, keeping the SDK error as cause', (_, error) => {
    // Act
    const translated = translateAwsError(error)

    // Assess
    expect(translated.code).toBe('unavailable')
    expect(translated.cause).toBe(error)
    expect(translated.message).not.toContain('arn:')
  })

  it.each([
    ['access denied', sdkError('AccessDeniedException', 400)],
    ['a missing key', sdkError('NotFoundException', 400)],
    ['a missing secret', sdkError('ResourceNotFoundException', 400)],
    ['a disabled key', sdkError('DisabledException', 400)],
    ['a key pending deletion', sdkError('KMSInvalidStateException', 400)],
    ['a secret its CMK cannot decrypt', sdkError('DecryptionFailure', 400)],
    ['a programming error', new TypeError('undefined is not a function')],
  ])('makes %s internal (our configuration), never a 401', (_, error) => {
    // Act
    const translated = translateAwsError(error)

    // Assess
    expect(translated.code).toBe('internal')
    expect(translated.message).not.toContain('arn:')
  })

  it('passes a TollgateError through', () => {
    const error = new TollgateError('unavailable', 'x')
    expect(translateAwsError(error)).toBe(error)
  })
})

describe('Function: isAwsOutage and awsErrorName', () => {
  it('look through wrappers to the SDK error', () => {
    // Prepare
    const wrapped = Object.assign(new Error('wrapped'), {
      name: 'GetParameterError',
      cause: sdkError('ThrottlingException', 400),
    })

    // Act and assess
    expect(isAwsOutage(wrapped)).toBe(true)
    expect(awsErrorName(wrapped)).toBe('ThrottlingException')
    expect(isAwsOutage('a string')).toBe(false)
  })
})
