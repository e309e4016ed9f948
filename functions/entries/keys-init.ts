import { createKeysInitHandler } from '../handlers/keys-init.js'
import { buildKeysInitDependencies } from '../operations/keys-init.js'
import { lambdaProvider } from '../wiring/lambda.js'

export const handler = createKeysInitHandler(lambdaProvider(process.env, buildKeysInitDependencies))
