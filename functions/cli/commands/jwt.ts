import { durationOption, helpText, listOption, parseCommand } from '../args.js'
import type { Command } from '../command.js'
import { MissingCredentialsError, UsageError } from '../exit-codes.js'
import { readOutsideToken } from '../inputs.js'
import { printer } from '../output.js'
import { openSession } from '../session.js'

export const jwtCommand: Command = {
  name: 'jwt',
  summary: 'Print a short-lived JWT for scripts: $(tollgate jwt)',
  help: helpText({
    usage:
      'tollgate jwt [--scope SCOPES] [--duration DURATION] [--client-credentials | --federate [--policy ID_OR_NAME]]',
    description: `Exchanges the access token (TOLLGATE_ACCESS_TOKEN, --access-token or the one
stored by \`tollgate login\`) for a new JWT and prints only the JWT and a
newline on stdout. With TOLLGATE_JWT set instead, prints that JWT as is.
--json prints the whole answer (jwt, expires_in, expires_at, scope; with
--client-credentials or --federate, the OAuth answer: access_token,
token_type, expires_in, scope).

--client-credentials gets the JWT from POST /oauth2/token with the OAuth 2.0
client_credentials grant instead (a service token, tgs_…, as the client).

--federate needs no Tollgate credential: it exchanges an outside OIDC token
(GitHub Actions, GitLab CI, a Kubernetes service account), read from stdin,
for a JWT of the service account a trust policy names (docs/federation.md).
Refused? An admin sees why with \`tollgate trust-policies simulate\`.`,
    options: `  --scope SCOPES         scopes to ask for (space- or comma-separated; default: all
                         of the token's, or of the policy's)
  --duration DURATION    life of the JWT: 60s to the server's maximum, e.g. 300, 15m,
                         1h (default 300 s, or what the token has left if less);
                         never beyond the token's own expiry or the policy's maximum
  --client-credentials   use the OAuth client_credentials grant
  --federate             exchange the outside OIDC token on stdin (never an argument)
  --policy ID_OR_NAME    with --federate: the trust policy to match (default: the one
                         that matches)
`,
    examples: [
      'curl -H "Authorization: Bearer $(tollgate jwt)" "$TOLLGATE_URL/whoami"',
      'tollgate jwt --scope datasets:read --duration 15m',
      'tollgate jwt --client-credentials --scope datasets:read',
      'tollgate jwt --federate --policy "api deploys from main" < "$OIDC_TOKEN_FILE"',
    ],
  }),
  run: async (args, io) => {
    const { values } = parseCommand('jwt', args, {
      scope: { type: 'string', multiple: true },
      duration: { type: 'string', duration: true },
      'client-credentials': { type: 'boolean' },
      federate: { type: 'boolean' },
      policy: { type: 'string' },
    })
    const scope = listOption(values.scope)?.join(' ')
    const duration = durationOption('duration', values.duration)
    const out = printer(io, values.json === true)
    if (values.federate === true && values['client-credentials'] === true) {
      throw new UsageError(
        'tollgate jwt: --federate and --client-credentials are two ways to get a JWT; choose one',
      )
    }
    if (values.policy !== undefined && values.federate !== true) {
      throw new UsageError(
        'tollgate jwt: --policy names a trust policy, which only --federate uses; add --federate',
      )
    }
    if (values.federate === true) {
      const subjectToken = await readOutsideToken('jwt --federate', io)
      const { client } = await openSession(values, io, { anonymous: true })
      const answer = await client.federate({
        subjectToken,
        policy: values.policy,
        scope,
        durationSeconds: duration,
      })
      out.data(answer, () => `${answer.access_token}\n`)
      return 0
    }
    const { client, credential } = await openSession(values, io)
    if (credential?.kind === 'jwt') {
      if (scope !== undefined || duration !== undefined || values['client-credentials'] === true) {
        throw new UsageError(
          'tollgate jwt: --scope, --duration and --client-credentials need an access token; TOLLGATE_JWT is printed as is',
        )
      }
      out.data({ jwt: credential.value, token_type: 'Bearer' }, () => `${credential.value}\n`)
      return 0
    }
    if (values['client-credentials'] === true) {
      const answer = await client
        .clientCredentials(credential?.value ?? '', { scope, durationSeconds: duration })
        .catch((error: unknown) => {
          // The client reads the client_id from the token; a damaged one has none to read.
          if (!(error instanceof TypeError)) throw error
          throw new MissingCredentialsError(
            `${credential?.source ?? 'the credential'} is not an access token (tgs_…): set TOLLGATE_ACCESS_TOKEN to the service token shown when it was created`,
          )
        })
      out.data(answer, () => `${answer.access_token}\n`)
      return 0
    }
    const answer = await client.exchange({
      access_token: credential?.value ?? '',
      ...(duration === undefined ? {} : { duration_seconds: duration }),
      ...(scope === undefined ? {} : { scope }),
    })
    out.data(answer, () => `${answer.jwt}\n`)
    return 0
  },
}
