import type { AccessToken, AccessTokenWithSecret, TollgateClient } from '../../client/index.js'
import { durationOption, helpText, listOption, parseCommand } from '../args.js'
import type { Command, CommandGroup } from '../command.js'
import { UsageError } from '../exit-codes.js'
import { LIST_OPTIONS, LIST_OPTIONS_HELP, printList } from '../lists.js'
import { printer, SHOWN_ONCE } from '../output.js'
import { openSession } from '../session.js'
import { tokensTable, tokenText, tokenWithSecretText } from '../views.js'
import { eventsCommand } from './events.js'

const SCOPES_ROLES_HELP = `  --scopes a,b           scopes (comma-separated; repeatable)
  --roles a,b            roles (comma-separated; repeatable)
`

const create: Command = {
  name: 'create',
  summary: 'Create an access token (its secret is printed once)',
  help: helpText({
    usage: 'tollgate tokens create NAME [options]',
    description: `Creates an access token: for a service account with --service-account (needs
tollgate:admin), else a personal token of the caller, who must be signed in as
a person (tollgate login). Scopes and roles default to the owner's.
The secret is printed this once (--json: the "token" field) and never again.`,
    options: `  --service-account ID   owner: a service account (sa_…)
  --description TEXT
${SCOPES_ROLES_HELP}  --expires-in DURATION  e.g. 3600, 12h, 30d, 1w, "2 weeks"; "never" where the
                         server allows it
                         (default: the server's DEFAULT_TOKEN_TTL_SECONDS)
`,
    examples: [
      'tollgate tokens create deploy --service-account sa_123 --scopes datasets:read --expires-in 30d',
      'TOKEN=$(tollgate tokens create deploy --service-account sa_123 --json | jq -r .token)',
    ],
  }),
  run: async (args, io) => {
    const { values, positionals } = parseCommand(
      'tokens create',
      args,
      {
        'service-account': { type: 'string' },
        description: { type: 'string' },
        scopes: { type: 'string', multiple: true },
        roles: { type: 'string', multiple: true },
        'expires-in': { type: 'string', duration: true },
      },
      { names: ['NAME'] },
    )
    // Read before any request, so a mistyped duration costs no round trip.
    const expiresIn = values['expires-in']
    const expiresInSeconds = expiresIn === 'never' ? null : durationOption('expires-in', expiresIn)
    const scopes = listOption(values.scopes)
    const roles = listOption(values.roles)
    const { client } = await openSession(values, io)
    const token = await client.accessTokens.create({
      name: positionals[0] as string,
      ...(values.description === undefined ? {} : { description: values.description }),
      ...(values['service-account'] === undefined
        ? {}
        : { service_account_id: values['service-account'] }),
      ...(scopes === undefined ? {} : { scopes }),
      ...(roles === undefined ? {} : { roles }),
      ...(expiresInSeconds === undefined ? {} : { expires_in_seconds: expiresInSeconds }),
    })
    const out = printer(io, values.json === true)
    out.data(token, () => tokenWithSecretText(token))
    if (out.json) out.note(`note: .token is the secret, ${SHOWN_ONCE}.`)
    return 0
  },
}

const list: Command = {
  name: 'list',
  summary: 'List access tokens (filter by owner, name, status)',
  help: helpText({
    usage: 'tollgate tokens list [options]',
    description:
      'Lists the access tokens the caller may see, newest pages first. Never shows secrets.',
    options: `  --owner OWNER          sa_… or user:<issuer>:<sub>
  --name NAME            exact name
  --status STATUS        active, revoked or expired
${LIST_OPTIONS_HELP}`,
    examples: [
      'tollgate tokens list --owner sa_123 --status active',
      "tollgate tokens list --all --json | jq -r '.items[] | [.id, .name, .status] | @tsv'",
    ],
  }),
  run: async (args, io) => {
    const { values } = parseCommand('tokens list', args, {
      ...LIST_OPTIONS,
      owner: { type: 'string' },
      name: { type: 'string' },
      status: { type: 'string' },
    })
    const status = values.status
    if (status !== undefined && !['active', 'revoked', 'expired'].includes(status)) {
      throw new UsageError('tollgate tokens list: --status must be active, revoked or expired')
    }
    const { client } = await openSession(values, io)
    const filters = {
      ...(values.owner === undefined ? {} : { owner: values.owner }),
      ...(values.name === undefined ? {} : { name: values.name }),
      ...(status === undefined ? {} : { status: status as 'active' | 'revoked' | 'expired' }),
    }
    await printList(
      printer(io, values.json === true),
      values,
      (page) => client.accessTokens.list({ ...filters, ...page }),
      tokensTable,
      'No access tokens match.',
    )
    return 0
  },
}

/** A subcommand that takes a token id and prints the token it gets back. */
const byId = (
  name: string,
  summary: string,
  description: string,
  call: (client: TollgateClient, id: string) => Promise<AccessToken | AccessTokenWithSecret>,
  example: string,
): Command => ({
  name,
  summary,
  help: helpText({ usage: `tollgate tokens ${name} ID`, description, examples: [example] }),
  run: async (args, io) => {
    const { values, positionals } = parseCommand(`tokens ${name}`, args, {}, { names: ['ID'] })
    const { client } = await openSession(values, io)
    const token = await call(client, positionals[0] as string)
    const out = printer(io, values.json === true)
    const secret = 'token' in token
    out.data(token, () => (secret ? tokenWithSecretText(token) : tokenText(token)))
    if (secret && out.json) out.note(`note: .token is the secret, ${SHOWN_ONCE}.`)
    return 0
  },
})

const show = byId(
  'show',
  'Show one access token',
  'Shows an access token (never its secret: only token_hint).',
  (client, id) => client.accessTokens.get(id),
  'tollgate tokens show 4dQ9xv2LmC8rT1aZ0bN7eK',
)

const revoke = byId(
  'revoke',
  'Revoke an access token (its JWTs stop working)',
  `Revokes an access token. The record stays (status "revoked") for audit; the
token and the JWTs minted from it are refused from now on.`,
  (client, id) => client.accessTokens.revoke(id),
  'tollgate tokens revoke 4dQ9xv2LmC8rT1aZ0bN7eK',
)

const regenerate = byId(
  'regenerate',
  'Give an access token a new secret (printed once)',
  `Gives an access token a new secret (same id, name and expiry); the old secret
and the JWTs minted from it stop working. The new secret is printed this once.
A service account's token needs tollgate:admin; a personal token only its
owner, signed in as a person; nobody regenerates another person's token.`,
  (client, id) => client.accessTokens.regenerate(id),
  'TOKEN=$(tollgate tokens regenerate 4dQ9xv2LmC8rT1aZ0bN7eK --json | jq -r .token)',
)

const update: Command = {
  name: 'update',
  summary: 'Rename, redescribe or narrow an access token',
  help: helpText({
    usage: 'tollgate tokens update ID [options]',
    description: `Changes a token's name or description, or narrows its scopes or roles (widening
needs a new token). Narrowing refuses the JWTs minted before at once.
Without --if-match the token is read first and changed at that version.`,
    options: `  --name NAME
  --description TEXT
${SCOPES_ROLES_HELP}  --if-match VERSION     the version (or ETag) you read; a newer one is exit 5
`,
    examples: ['tollgate tokens update 4dQ9xv2LmC8rT1aZ0bN7eK --scopes datasets:read --if-match 3'],
  }),
  run: async (args, io) => {
    const { values, positionals } = parseCommand(
      'tokens update',
      args,
      {
        name: { type: 'string' },
        description: { type: 'string' },
        scopes: { type: 'string', multiple: true },
        roles: { type: 'string', multiple: true },
        'if-match': { type: 'string' },
      },
      { names: ['ID'] },
    )
    const scopes = listOption(values.scopes)
    const roles = listOption(values.roles)
    const patch = {
      ...(values.name === undefined ? {} : { name: values.name }),
      ...(values.description === undefined ? {} : { description: values.description }),
      ...(scopes === undefined ? {} : { scopes }),
      ...(roles === undefined ? {} : { roles }),
    }
    if (Object.keys(patch).length === 0) {
      throw new UsageError('tollgate tokens update: nothing to change (see --help)')
    }
    const id = positionals[0] as string
    const { client } = await openSession(values, io)
    const ifMatch = values['if-match'] ?? (await client.accessTokens.get(id)).version
    const token = await client.accessTokens.update(id, patch, {
      ifMatch: typeof ifMatch === 'string' && /^[0-9]+$/.test(ifMatch) ? Number(ifMatch) : ifMatch,
    })
    printer(io, values.json === true).data(token, () => tokenText(token))
    return 0
  },
}

const revokeAll: Command = {
  name: 'revoke-all',
  summary: 'Revoke every token of an owner (needs tollgate:admin)',
  help: helpText({
    usage: 'tollgate tokens revoke-all --owner OWNER --yes',
    description: `Revokes every access token of a service account or person at once, and every
JWT minted from them. --yes confirms; there is no undo.`,
    options: `  --owner OWNER          sa_… or user:<issuer>:<sub>
  --yes                  confirm
`,
    examples: ['tollgate tokens revoke-all --owner sa_123 --yes'],
  }),
  run: async (args, io) => {
    const { values } = parseCommand('tokens revoke-all', args, {
      owner: { type: 'string' },
      yes: { type: 'boolean' },
    })
    if (values.owner === undefined)
      throw new UsageError('tollgate tokens revoke-all: --owner is required')
    if (values.yes !== true) {
      throw new UsageError(
        'tollgate tokens revoke-all: this revokes every token of the owner; add --yes to confirm',
      )
    }
    const { client } = await openSession(values, io)
    const result = await client.accessTokens.revokeAll(values.owner)
    printer(io, values.json === true).data(
      result,
      () => `Revoked ${result.revoked} token(s) of ${result.owner}.\n`,
    )
    return 0
  },
}

const events = eventsCommand({
  group: 'tokens',
  summary: "An access token's audit trail",
  description: 'Lists the audit records of a token: who did what, when, from which token.',
  example: 'tollgate tokens events 4dQ9xv2LmC8rT1aZ0bN7eK --all',
  read: (client, id, page) => client.accessTokens.events(id, page),
})

export const tokensCommands: CommandGroup = {
  name: 'tokens',
  summary: 'Create, list, show, update, revoke and regenerate access tokens',
  subcommands: [create, list, show, update, revoke, regenerate, revokeAll, events],
}
