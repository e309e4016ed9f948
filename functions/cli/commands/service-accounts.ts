import { helpText, listOption, parseCommand } from '../args.js'
import type { Command, CommandGroup } from '../command.js'
import { UsageError } from '../exit-codes.js'
import { LIST_OPTIONS, LIST_OPTIONS_HELP, printList } from '../lists.js'
import { printer } from '../output.js'
import { openSession } from '../session.js'
import { serviceAccountsTable, serviceAccountText } from '../views.js'
import { eventsCommand } from './events.js'

const create: Command = {
  name: 'create',
  summary: 'Create a service account (needs tollgate:admin)',
  help: helpText({
    usage: 'tollgate service-accounts create NAME [options]',
    description: `Creates a service account: an owner of service tokens, with the roles and
scopes its tokens may hold at most (its ceiling). Needs a JWT holding
service-accounts:write and tollgate:admin (an admin token, not narrowed).`,
    options: `  --description TEXT
  --roles a,b            roles its tokens may hold (comma-separated; repeatable)
  --scopes a,b           scopes its tokens may hold (comma-separated; repeatable)
`,
    examples: [
      'tollgate service-accounts create ci-deployer --scopes datasets:read,datasets:write',
      'SA=$(tollgate service-accounts create ci-deployer --scopes datasets:read --json | jq -r .id)',
    ],
  }),
  run: async (args, io) => {
    const { values, positionals } = parseCommand(
      'service-accounts create',
      args,
      {
        description: { type: 'string' },
        roles: { type: 'string', multiple: true },
        scopes: { type: 'string', multiple: true },
      },
      { names: ['NAME'] },
    )
    const { client } = await openSession(values, io)
    const answer = await client.call('POST /service-accounts', {
      body: {
        name: positionals[0] as string,
        ...(values.description === undefined ? {} : { description: values.description }),
        roles: listOption(values.roles) ?? [],
        scopes: listOption(values.scopes) ?? [],
      },
    })
    printer(io, values.json === true).data(answer.data, () =>
      serviceAccountText(answer.data, answer.etag),
    )
    return 0
  },
}

const list: Command = {
  name: 'list',
  summary: 'List service accounts',
  help: helpText({
    usage: 'tollgate service-accounts list [options]',
    description: 'Lists service accounts.',
    options: LIST_OPTIONS_HELP,
    examples: [
      'tollgate service-accounts list',
      "tollgate service-accounts list --all --json | jq -r '.items[].name'",
    ],
  }),
  run: async (args, io) => {
    const { values } = parseCommand('service-accounts list', args, LIST_OPTIONS)
    const { client } = await openSession(values, io)
    await printList(
      printer(io, values.json === true),
      values,
      (page) => client.serviceAccounts.list(page),
      serviceAccountsTable,
      'No service accounts.',
    )
    return 0
  },
}

const show: Command = {
  name: 'show',
  summary: 'Show one service account',
  help: helpText({
    usage: 'tollgate service-accounts show ID',
    description: 'Shows a service account and its ETag (for `update --if-match`).',
    examples: ['tollgate service-accounts show sa_123'],
  }),
  run: async (args, io) => {
    const { values, positionals } = parseCommand(
      'service-accounts show',
      args,
      {},
      {
        names: ['ID'],
      },
    )
    const { client } = await openSession(values, io)
    const answer = await client.call('GET /service-accounts/{id}', {
      params: { id: positionals[0] as string },
    })
    printer(io, values.json === true).data(answer.data, () =>
      serviceAccountText(answer.data, answer.etag),
    )
    return 0
  },
}

const update: Command = {
  name: 'update',
  summary: "Change a service account's name, description, roles or scopes",
  help: helpText({
    usage: 'tollgate service-accounts update ID [options]',
    description: `Changes a service account. Widening its roles or scopes needs tollgate:admin and
never widens its existing tokens; any other change needs tollgate:admin or a JWT
holding every scope the account holds. Narrowing refuses every JWT minted
before at once. Without --if-match the account is read first and changed at
that version.`,
    options: `  --name NAME
  --description TEXT
  --roles a,b            the new roles (replaces the list)
  --scopes a,b           the new scopes (replaces the list)
  --if-match ETAG        the ETag you read (\`show\`); a newer version is exit 5
`,
    examples: ['tollgate service-accounts update sa_123 --scopes datasets:read --if-match \'"2"\''],
  }),
  run: async (args, io) => {
    const { values, positionals } = parseCommand(
      'service-accounts update',
      args,
      {
        name: { type: 'string' },
        description: { type: 'string' },
        roles: { type: 'string', multiple: true },
        scopes: { type: 'string', multiple: true },
        'if-match': { type: 'string' },
      },
      { names: ['ID'] },
    )
    const roles = listOption(values.roles)
    const scopes = listOption(values.scopes)
    const patch = {
      ...(values.name === undefined ? {} : { name: values.name }),
      ...(values.description === undefined ? {} : { description: values.description }),
      ...(roles === undefined ? {} : { roles }),
      ...(scopes === undefined ? {} : { scopes }),
    }
    if (Object.keys(patch).length === 0) {
      throw new UsageError('tollgate service-accounts update: nothing to change (see --help)')
    }
    const id = positionals[0] as string
    const { client } = await openSession(values, io)
    const ifMatch =
      values['if-match'] ??
      (await client.call('GET /service-accounts/{id}', { params: { id } })).etag ??
      '*'
    const answer = await client.call('PATCH /service-accounts/{id}', {
      params: { id },
      body: patch,
      ifMatch: /^[0-9]+$/.test(ifMatch) ? Number(ifMatch) : ifMatch,
    })
    printer(io, values.json === true).data(answer.data, () =>
      serviceAccountText(answer.data, answer.etag),
    )
    return 0
  },
}

const remove: Command = {
  name: 'delete',
  summary: 'Delete a service account; all its tokens stop working',
  help: helpText({
    usage: 'tollgate service-accounts delete ID --yes',
    description: `Deletes a service account: every token it owns, and every JWT minted from
them, stops working at once. --yes confirms; there is no undo.`,
    options: '  --yes                  confirm\n',
    examples: ['tollgate service-accounts delete sa_123 --yes'],
  }),
  run: async (args, io) => {
    const { values, positionals } = parseCommand(
      'service-accounts delete',
      args,
      { yes: { type: 'boolean' } },
      { names: ['ID'] },
    )
    if (values.yes !== true) {
      throw new UsageError(
        'tollgate service-accounts delete: this makes every token of the account unusable; add --yes to confirm',
      )
    }
    const id = positionals[0] as string
    const { client } = await openSession(values, io)
    await client.serviceAccounts.delete(id)
    // The API answers 204 without a body, so --json prints nothing either.
    io.stderr.write(`Deleted service account ${id}.\n`)
    return 0
  },
}

const events = eventsCommand({
  group: 'service-accounts',
  summary: "A service account's audit trail",
  description: 'Lists the audit records of a service account.',
  example: 'tollgate service-accounts events sa_123 --json',
  read: (client, id, page) => client.serviceAccounts.events(id, page),
})

export const serviceAccountsCommands: CommandGroup = {
  name: 'service-accounts',
  aliases: ['sa'],
  summary: 'Create, list, show, update and delete service accounts',
  subcommands: [create, list, show, update, remove, events],
}
