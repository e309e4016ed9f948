import { createKeyRotationHandler } from '../handlers/key-rotation.js'
import { buildKeyRotationDependencies } from '../wiring/key-management.js'
import { lambdaProvider } from '../wiring/lambda.js'

export const handler = createKeyRotationHandler(
  lambdaProvider(process.env, buildKeyRotationDependencies),
)
