import { createExchangeJwtHandler } from '../handlers/exchange-jwt.js'
import { buildExchangeDependencies } from '../wiring/exchange.js'
import { lambdaProvider } from '../wiring/lambda.js'

export const handler = createExchangeJwtHandler(
  lambdaProvider(process.env, buildExchangeDependencies, ['signer', 'pepper']),
)
