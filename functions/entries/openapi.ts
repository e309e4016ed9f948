import { createOpenapiHandler } from '../handlers/openapi.js'
import { lambdaProvider } from '../wiring/lambda.js'

export const handler = createOpenapiHandler(
  lambdaProvider(process.env, async (config) => ({ config })),
)
