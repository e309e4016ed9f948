import { createKeysInitHandler } from '../handlers/keys-init.js'
import { buildKeysInitDependencies } from '../wiring/key-management.js'
import { lambdaProvider } from '../wiring/lambda.js'

export const handler = createKeysInitHandler(lambdaProvider(process.env, buildKeysInitDependencies))
