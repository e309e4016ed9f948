import type { AuditEvent, ListQuery, Page, TollgateClient } from '../../client/index.js'
import { helpText, parseCommand } from '../args.js'
import type { Command } from '../command.js'
import { LIST_OPTIONS, LIST_OPTIONS_HELP, printList } from '../lists.js'
import { printer } from '../output.js'
import { openSession } from '../session.js'
import { eventsTable } from '../views.js'

/**
 * `tollgate <group> events ID`: the audit trail of one resource, the same
 * for service accounts and tokens but for what it reads.
 */
export const eventsCommand = (options: {
  readonly group: string
  readonly summary: string
  readonly description: string
  readonly example: string
  readonly read: (
    client: TollgateClient,
    id: string,
    page: ListQuery<'GET /access-tokens/{id}/events'>,
  ) => Promise<Page<AuditEvent>>
}): Command => ({
  name: 'events',
  summary: options.summary,
  help: helpText({
    usage: `tollgate ${options.group} events ID [options]`,
    description: options.description,
    options: LIST_OPTIONS_HELP,
    examples: [options.example],
  }),
  run: async (args, io) => {
    const { values, positionals } = parseCommand(`${options.group} events`, args, LIST_OPTIONS, {
      names: ['ID'],
    })
    const id = positionals[0] as string
    const { client } = await openSession(values, io)
    await printList(
      printer(io, values.json === true),
      values,
      (page) => options.read(client, id, page),
      eventsTable,
      'No events.',
    )
    return 0
  },
})
