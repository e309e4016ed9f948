import { createAuthorizerHandler } from '../handlers/authorizer.js'
import { lambdaAuthorizerDependencies } from '../wiring/authorizer.js'

export const handler = createAuthorizerHandler(lambdaAuthorizerDependencies(process.env))
