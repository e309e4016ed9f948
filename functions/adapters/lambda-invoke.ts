import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda'
import { type AwsClientOptions, awsClientConfig } from './aws-clients.js'

/** What one synchronous invocation came back with. */
export interface Invocation {
  /** The function's answer, parsed as JSON; undefined when it returned nothing. */
  readonly payload: unknown
  /** Set when the function failed instead of answering (`Unhandled`): the payload is Lambda's error. */
  readonly functionError: string | undefined
}

/**
 * Invokes a Lambda function once, synchronously, with a JSON payload. One
 * attempt, no retry: an invocation need not be idempotent (a second
 * bootstrap after a lost answer would find the table claimed), so whether
 * to run it again is the caller's call. The timeouts leave room for the
 * function's cold start and run.
 *
 * @example
 * const { payload } = await invokeFunction('Tollgate-Bootstrap', { name: 'admin' })
 */
export const invokeFunction = async (
  functionName: string,
  payload: unknown,
  options: AwsClientOptions = {},
): Promise<Invocation> => {
  const client = new LambdaClient(
    awsClientConfig({
      connectionTimeoutMs: 5_000,
      requestTimeoutMs: 60_000,
      maxAttempts: 1,
      ...options,
    }),
  )
  try {
    const answer = await client.send(
      new InvokeCommand({
        FunctionName: functionName,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(JSON.stringify(payload)),
      }),
    )
    const text = answer.Payload === undefined ? '' : new TextDecoder().decode(answer.Payload)
    return {
      payload: text === '' ? undefined : parseJson(text),
      functionError: answer.FunctionError,
    }
  } finally {
    client.destroy()
  }
}

/** Lambda answers JSON; anything else is passed on as the text it was. */
const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
