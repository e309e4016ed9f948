import { createBootstrapHandler } from '../handlers/bootstrap.js'
import { buildBootstrapDependencies } from '../wiring/bootstrap.js'
import { lambdaProvider } from '../wiring/lambda.js'

export const handler = createBootstrapHandler(
  lambdaProvider(process.env, buildBootstrapDependencies, ['pepper']),
)
