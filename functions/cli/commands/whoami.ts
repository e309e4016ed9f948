import { helpText, parseCommand } from '../args.js'
import type { Command } from '../command.js'
import { fields, printer } from '../output.js'
import { openSession } from '../session.js'

export const whoamiCommand: Command = {
  name: 'whoami',
  summary: 'Who Tollgate thinks you are (and which credential the CLI used)',
  help: helpText({
    usage: 'tollgate whoami',
    description: `Calls GET /whoami with the CLI's credential and shows the caller: subject,
kind, roles, scopes, and the access token the JWT came from. People also see
the URL and where the credential was found.`,
    examples: ['tollgate whoami', 'tollgate whoami --json | jq -r .sub'],
  }),
  run: async (args, io) => {
    const { values } = parseCommand('whoami', args, {})
    const { client, url, credential } = await openSession(values, io)
    const caller = await client.whoami()
    printer(io, values.json === true).data(caller, () =>
      fields([
        ['sub', caller.sub],
        ['kind', caller.kind],
        ['roles', caller.roles],
        ['scopes', caller.scopes],
        ['atid', caller.atid],
        ['url', url],
        [
          'credential',
          credential === undefined
            ? undefined
            : `${credential.kind.replace('_', ' ')} from ${credential.source}`,
        ],
      ]),
    )
    return 0
  },
}
