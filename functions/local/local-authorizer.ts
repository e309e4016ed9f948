import type { APIGatewayProxyEventV2 } from 'aws-lambda'
import { TollgateError } from '../core/errors.js'
import { isAllowedByPolicy } from '../core/route-permissions.js'
import type { AuthorizerContext } from '../core/use-cases/authorize-request.js'
import type { AuthorizerHandler } from '../handlers/authorizer.js'

export interface LocalAuthorization {
  readonly context: AuthorizerContext | Readonly<Record<string, never>>
}

/**
 * Runs the Lambda authorizer in front of a protected route the way a REST API
 * does (a REQUEST event, then the returned policy applied to the called
 * method ARN), so that a bad credential is 401 and a missing scope 403, as
 * API Gateway would answer. Throws the matching TollgateError on a deny.
 */
export const authorizeLocally = async (
  authorizer: AuthorizerHandler,
  event: APIGatewayProxyEventV2,
): Promise<LocalAuthorization> => {
  const { accountId, apiId, stage, http } = event.requestContext
  const methodArn = `arn:aws:execute-api:local:${accountId}:${apiId}/${stage}/${http.method}${event.rawPath}`
  let answer: Awaited<ReturnType<AuthorizerHandler>>
  try {
    answer = await authorizer({ type: 'REQUEST', methodArn, headers: event.headers })
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
