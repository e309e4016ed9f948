import { randomUUID } from 'node:crypto'
import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { TollgateError } from '../core/errors.js'
import { isAllowedByPolicy } from '../core/route-permissions.js'
import type { AuthorizerContext } from '../core/use-cases/authorize-request.js'
import type { AuthorizerHandler } from '../handlers/authorizer.js'
import { lambdaContext } from './http-api-event.js'
import type { InvocationScope } from './invocation-scope.js'

export interface LocalAuthorization {
  readonly context: AuthorizerContext | Readonly<Record<string, never>>
}

/**
 * Runs the Lambda authorizer in front of a protected route the way a REST API
 * does (a REQUEST event, then the returned policy applied to the called
 * method ARN), so that a bad credential is 401 and a missing scope 403, as
 * API Gateway would answer. Throws the matching TollgateError on a deny.
 *
 * The authorizer is its own Lambda: it runs as its own invocation (own
 * request id, function name `tollgate-authorizer`), apart from the route's.
 */
export const authorizeLocally = async (
  authorizer: AuthorizerHandler,
  event: APIGatewayProxyEventV2,
  invoke: InvocationScope,
): Promise<LocalAuthorization> => {
  const { accountId, apiId, stage, http } = event.requestContext
  const methodArn = `arn:aws:execute-api:local:${accountId}:${apiId}/${stage}/${http.method}${event.rawPath}`
  const awsRequestId = randomUUID()
  let answer: Awaited<ReturnType<AuthorizerHandler>>
  try {
    answer = await invoke(awsRequestId, () =>
      authorizer(
        { type: 'REQUEST', methodArn, headers: event.headers },
        lambdaContext('authorizer', awsRequestId),
      ),
    )
  } catch {
    // The authorizer's only throw is API Gateway's 401 ('Unauthorized').
    throw new TollgateError('invalid_token', 'A valid bearer token is required.')
  }
  if ('policyDocument' in answer && isAllowedByPolicy(answer.policyDocument, methodArn)) {
    return { context: answer.context ?? {} }
  }
  throw new TollgateError(
    'insufficient_scope',
    'The token does not grant the scope this route requires.',
  )
}
