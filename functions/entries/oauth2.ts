import { createOAuth2Handler } from '../handlers/oauth2.js'
import { lambdaProvider } from '../wiring/lambda.js'
import { buildOAuthDependencies } from '../wiring/oauth.js'

export const handler = createOAuth2Handler(
  lambdaProvider(process.env, buildOAuthDependencies, ['public-keys', 'signer', 'pepper']),
)
