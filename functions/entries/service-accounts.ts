import { createServiceAccountsHandler } from '../handlers/service-accounts.js'
import { buildManagementDependencies } from '../wiring/dependencies.js'
import { lambdaProvider } from '../wiring/lambda.js'

export const handler = createServiceAccountsHandler(
  lambdaProvider(process.env, buildManagementDependencies, ['public-keys', 'pepper']),
)
