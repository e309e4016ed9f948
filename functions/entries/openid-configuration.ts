import { createOpenidConfigurationHandler } from '../handlers/openid-configuration.js'
import { lambdaProvider } from '../wiring/lambda.js'

export const handler = createOpenidConfigurationHandler(
  lambdaProvider(process.env, async (config) => ({ config })),
)
