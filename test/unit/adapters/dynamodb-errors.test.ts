import { describe, expect, it } from 'vitest'
import { translateDynamoDbError } from '../../../functions/adapters/dynamodb-errors.js'
import { TollgateError } from '../../../functions/core/errors.js'

const sdkError = (fields: Record<string, unknown>) =>
  Object.assign(
    new Error('from the SDK'),
    { $metadata: { httpStatusCode: 400 }, $fault: 'client' },
    fields,
  )

describe('translateDynamoDbError', () => {
  it.each([
    ['throttling', sdkError({ name: 'ThrottlingException' })],
    [
      'a 5xx',
      sdkError({
        name: 'InternalServerError',
        $fault: 'server',
        $metadata: { httpStatusCode: 500 },
      }),
    ],
    [
      'a network failure (no HTTP status)',
      Object.assign(new Error('ECONNREFUSED'), { name: 'Error' }),
    ],
    [
      'a transaction cancelled by a conflicting one',
      sdkError({
        name: 'TransactionCanceledException',
        CancellationReasons: [{ Code: 'None' }, { Code: 'TransactionConflict' }],
      }),
    ],
  ])('reports %s as unavailable (503), never as a bad token', (_name, error) => {
    expect(translateDynamoDbError(error)).toMatchObject({ code: 'unavailable' })
  })

  it('reports a request DynamoDB refuses as our bug: internal', () => {
    expect(translateDynamoDbError(sdkError({ name: 'ValidationException' }))).toMatchObject({
      code: 'internal',
    })
  })

  it('keeps the SDK error as the cause, for the log only', () => {
    const cause = sdkError({ name: 'ThrottlingException' })

    const translated = translateDynamoDbError(cause)

    expect(translated.cause).toBe(cause)
    expect(translated.message).not.toContain('from the SDK')
  })

  it('passes a TollgateError through', () => {
    const error = new TollgateError('conflict', 'taken')

    expect(translateDynamoDbError(error)).toBe(error)
  })
})
