import { type Invocation, invokeFunction } from '../adapters/lambda-invoke.js'

export interface BootstrapFunctionRequest {
  /** The stack output `BootstrapFunctionName` (or the function's ARN). */
  readonly functionName: string
  /** The admin's name; the function's default (`admin`, or a dated recovery name) when absent. */
  readonly name?: string | undefined
  /** Mint a recovery admin even when the table is bootstrapped. */
  readonly recover: boolean
  /** Explicit Lambda endpoint (AWS_ENDPOINT_URL_LAMBDA, else AWS_ENDPOINT_URL); else the SDK's own. */
  readonly endpoint?: string | undefined
}

/**
 * `tollgate bootstrap --function`: invokes a deployed stack's bootstrap
 * function (handlers/bootstrap.ts) with the input it reads, as `aws lambda
 * invoke` would, with the caller's AWS credentials: Lambda's IAM, not a
 * Tollgate credential, decides who may.
 *
 * @example
 * const { payload } = await invokeBootstrapFunction({ functionName, recover: false })
 */
export const invokeBootstrapFunction = (request: BootstrapFunctionRequest): Promise<Invocation> =>
  invokeFunction(
    request.functionName,
    {
      ...(request.name === undefined ? {} : { name: request.name }),
      ...(request.recover ? { recover: true } : {}),
    },
    { endpoint: request.endpoint },
  )
