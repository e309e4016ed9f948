import { createWhoamiHandler } from '../handlers/whoami.js'
import { buildCallerDependencies } from '../wiring/dependencies.js'
import { lambdaProvider } from '../wiring/lambda.js'

export const handler = createWhoamiHandler(
  lambdaProvider(process.env, buildCallerDependencies, ['public-keys']),
)
