import { createAccessTokensHandler } from '../handlers/access-tokens.js'
import { buildManagementDependencies } from '../wiring/dependencies.js'
import { lambdaProvider } from '../wiring/lambda.js'

export const handler = createAccessTokensHandler(
  lambdaProvider(process.env, buildManagementDependencies, ['public-keys', 'pepper']),
)
