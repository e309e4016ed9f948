import { createTrustPoliciesHandler } from '../handlers/trust-policies.js'
import { buildTrustPolicyDependencies } from '../wiring/dependencies.js'
import { lambdaProvider } from '../wiring/lambda.js'

export const handler = createTrustPoliciesHandler(
  lambdaProvider(process.env, buildTrustPolicyDependencies, ['public-keys', 'pepper']),
)
