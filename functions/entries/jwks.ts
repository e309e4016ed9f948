import { createJwksHandler } from '../handlers/jwks.js'
import { buildPublicKeyDependencies } from '../wiring/key-material.js'
import { lambdaProvider } from '../wiring/lambda.js'

export const handler = createJwksHandler(
  lambdaProvider(process.env, buildPublicKeyDependencies, ['public-keys']),
)
