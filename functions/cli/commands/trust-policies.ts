import type { RouteBody } from '../../client/index.js'
import { durationOption, helpText, listOption, parseCommand, type Values } from '../args.js'
import type { Command, CommandGroup } from '../command.js'
import { UsageError } from '../exit-codes.js'
import { readJsonObject, readOutsideToken } from '../inputs.js'
import { LIST_OPTIONS, LIST_OPTIONS_HELP, printList } from '../lists.js'
import { printer } from '../output.js'
import { openSession } from '../session.js'
import { simulationText, trustPoliciesTable, trustPolicyText } from '../views.js'
import { eventsCommand } from './events.js'

/** The fields of a policy, as flags; `--file` gives them as the API's JSON instead. */
const POLICY_OPTIONS = {
  file: { type: 'string' },
  description: { type: 'string' },
  issuer: { type: 'string' },
  'jwks-uri': { type: 'string' },
  audience: { type: 'string' },
  subject: { type: 'string' },
  'subject-pattern': { type: 'string' },
  claim: { type: 'string', multiple: true },
  'service-account': { type: 'string' },
  scopes: { type: 'string', multiple: true },
  'max-duration': { type: 'string', duration: true },
  'max-token-age': { type: 'string', duration: true },
} as const

const POLICY_OPTIONS_HELP = `  --file FILE            the policy as the API's JSON (docs/federation.md); flags
                         given too replace its fields
  --description TEXT
  --issuer URL           the outside issuer's exact iss, one of FEDERATION_ISSUERS
  --jwks-uri URL         where its keys are (default: its OIDC discovery document)
  --audience AUD         the exact aud the outside token must carry, e.g. sts.tollgate
  --subject SUB          the one sub accepted, or
  --subject-pattern RE2  an RE2 pattern for sub, starting with the tenant
                         (repo:acme/…, project_path:acme/…, system:serviceaccount:NS:…)
  --claim NAME=PATTERN   a string claim the token must match (repeatable)
  --service-account ID   the service account the JWTs act as
  --scopes a,b           the most the JWTs may hold (never tollgate:admin)
  --max-duration DUR     the longest JWT, e.g. 15m
  --max-token-age DUR    how old the outside token may be (default 1h)
`

type PolicyValues = Values<typeof POLICY_OPTIONS>

/** `--claim repository_owner=acme` → `{ repository_owner: 'acme' }`; undefined when none. */
const claimsOption = (
  command: string,
  values: readonly string[] | undefined,
): Record<string, string> | undefined => {
  if (values === undefined) return undefined
  return Object.fromEntries(
    values.map((value) => {
      const at = value.indexOf('=')
      if (at <= 0) {
        throw new UsageError(
          `tollgate ${command}: --claim takes NAME=PATTERN, e.g. --claim repository_owner=acme`,
        )
      }
      return [value.slice(0, at), value.slice(at + 1)]
    }),
  )
}

/** The body the flags (over `--file`, if any) describe; the API checks every field. */
const policyFields = async (
  command: string,
  values: PolicyValues,
): Promise<Record<string, unknown>> => {
  const scopes = listOption(values.scopes)
  const claims = claimsOption(command, values.claim)
  const maxDuration = durationOption('max-duration', values['max-duration'])
  const maxTokenAge = durationOption('max-token-age', values['max-token-age'])
  const flags = {
    ...(values.description === undefined ? {} : { description: values.description }),
    ...(values.issuer === undefined ? {} : { issuer: values.issuer }),
    ...(values['jwks-uri'] === undefined ? {} : { jwks_uri: values['jwks-uri'] }),
    ...(values.audience === undefined ? {} : { audience: values.audience }),
    ...(values.subject === undefined ? {} : { subject: values.subject }),
    ...(values['subject-pattern'] === undefined
      ? {}
      : { subject_pattern: values['subject-pattern'] }),
    ...(claims === undefined ? {} : { claims }),
    ...(values['service-account'] === undefined
      ? {}
      : { service_account_id: values['service-account'] }),
    ...(scopes === undefined ? {} : { scopes }),
    ...(maxDuration === undefined ? {} : { max_duration_seconds: maxDuration }),
    ...(maxTokenAge === undefined ? {} : { max_token_age_seconds: maxTokenAge }),
  }
  const file = values.file === undefined ? {} : await readJsonObject(command, '--file', values.file)
  return { ...file, ...flags }
}

const create: Command = {
  name: 'create',
  summary: 'Create a trust policy (needs tollgate:admin)',
  help: helpText({
    usage: 'tollgate trust-policies create [NAME] [options]',
    description: `Creates a trust policy: which outside OIDC tokens (a CI job's, a pod's) may be
exchanged for JWTs of one service account, with at most which scopes and for
how long (docs/federation.md). Give the fields as flags, or as the API's JSON
with --file (NAME may then come from the file). Needs tollgate:admin.`,
    options: POLICY_OPTIONS_HELP,
    examples: [
      'tollgate trust-policies create "api deploys from main" --issuer https://token.actions.githubusercontent.com \\\n' +
        '    --audience sts.tollgate --subject-pattern "repo:acme/api:ref:refs/heads/main" --claim repository_owner=acme \\\n' +
        '    --service-account sa_123 --scopes datasets:write --max-duration 15m',
      'tollgate trust-policies create --file policy.json --json',
    ],
  }),
  run: async (args, io) => {
    const { values, positionals } = parseCommand('trust-policies create', args, POLICY_OPTIONS, {
      names: ['NAME'],
      optional: 1,
    })
    const body = await policyFields('trust-policies create', values)
    const name = positionals[0] ?? body.name
    if (name === undefined) {
      throw new UsageError('tollgate trust-policies create: missing NAME (or "name" in --file)')
    }
    const { client } = await openSession(values, io)
    // The API validates every field and names the one it refuses; the CLI does not guess.
    const answer = await client.call('POST /trust-policies', {
      body: { ...body, name } as RouteBody<'POST /trust-policies'>,
    })
    printer(io, values.json === true).data(answer.data, () =>
      trustPolicyText(answer.data, answer.etag),
    )
    return 0
  },
}

const list: Command = {
  name: 'list',
  summary: 'List trust policies',
  help: helpText({
    usage: 'tollgate trust-policies list [options]',
    description: 'Lists trust policies (needs tollgate:admin).',
    options: LIST_OPTIONS_HELP,
    examples: [
      'tollgate trust-policies list',
      "tollgate trust-policies list --all --json | jq -r '.items[] | [.id, .name] | @tsv'",
    ],
  }),
  run: async (args, io) => {
    const { values } = parseCommand('trust-policies list', args, LIST_OPTIONS)
    const { client } = await openSession(values, io)
    await printList(
      printer(io, values.json === true),
      values,
      (page) => client.trustPolicies.list(page),
      trustPoliciesTable,
      'No trust policies.',
    )
    return 0
  },
}

const show: Command = {
  name: 'show',
  summary: 'Show one trust policy',
  help: helpText({
    usage: 'tollgate trust-policies show ID',
    description: 'Shows a trust policy and its ETag (for `update --if-match`).',
    examples: ['tollgate trust-policies show tp_123'],
  }),
  run: async (args, io) => {
    const { values, positionals } = parseCommand('trust-policies show', args, {}, { names: ['ID'] })
    const { client } = await openSession(values, io)
    const answer = await client.call('GET /trust-policies/{id}', {
      params: { id: positionals[0] as string },
    })
    printer(io, values.json === true).data(answer.data, () =>
      trustPolicyText(answer.data, answer.etag),
    )
    return 0
  },
}

const update: Command = {
  name: 'update',
  summary: 'Change a trust policy; any change but name or description revokes its JWTs',
  help: helpText({
    usage: 'tollgate trust-policies update ID [options]',
    description: `Changes a trust policy. Any change but --name and --description bumps its
generation, and every JWT it minted before is refused at once. --file gives
the changes as the API's JSON (e.g. {"jwks_uri": null}). Without --if-match
the policy is read first and changed at that version.`,
    options: `  --name NAME
${POLICY_OPTIONS_HELP}  --if-match ETAG        the ETag you read (\`show\`); a newer version is exit 5
`,
    examples: [
      'tollgate trust-policies update tp_123 --scopes datasets:read --if-match \'"2"\'',
      'tollgate trust-policies update tp_123 --file changes.json',
    ],
  }),
  run: async (args, io) => {
    const { values, positionals } = parseCommand(
      'trust-policies update',
      args,
      { ...POLICY_OPTIONS, name: { type: 'string' }, 'if-match': { type: 'string' } },
      { names: ['ID'] },
    )
    const patch = {
      ...(await policyFields('trust-policies update', values)),
      ...(values.name === undefined ? {} : { name: values.name }),
    }
    if (Object.keys(patch).length === 0) {
      throw new UsageError('tollgate trust-policies update: nothing to change (see --help)')
    }
    const id = positionals[0] as string
    const { client } = await openSession(values, io)
    const ifMatch =
      values['if-match'] ??
      (await client.call('GET /trust-policies/{id}', { params: { id } })).etag ??
      '*'
    const answer = await client.call('PATCH /trust-policies/{id}', {
      params: { id },
      body: patch as RouteBody<'PATCH /trust-policies/{id}'>,
      ifMatch: /^[0-9]+$/.test(ifMatch) ? Number(ifMatch) : ifMatch,
    })
    printer(io, values.json === true).data(answer.data, () =>
      trustPolicyText(answer.data, answer.etag),
    )
    return 0
  },
}

const remove: Command = {
  name: 'delete',
  summary: 'Delete a trust policy; every JWT it minted stops working',
  help: helpText({
    usage: 'tollgate trust-policies delete ID --yes',
    description: `Deletes a trust policy: no outside token is exchanged under it any more, and
every JWT it ever minted is refused at once. Its audit trail stays. --yes
confirms; there is no undo.`,
    options: '  --yes                  confirm\n',
    examples: ['tollgate trust-policies delete tp_123 --yes'],
  }),
  run: async (args, io) => {
    const { values, positionals } = parseCommand(
      'trust-policies delete',
      args,
      { yes: { type: 'boolean' } },
      { names: ['ID'] },
    )
    if (values.yes !== true) {
      throw new UsageError(
        'tollgate trust-policies delete: this refuses every JWT the policy minted; add --yes to confirm',
      )
    }
    const id = positionals[0] as string
    const { client } = await openSession(values, io)
    await client.trustPolicies.delete(id)
    io.stderr.write(`Deleted trust policy ${id}.\n`)
    return 0
  },
}

const simulate: Command = {
  name: 'simulate',
  summary: 'Which policy an outside token would match, and why not; mints nothing',
  help: helpText({
    usage: 'tollgate trust-policies simulate [--claims FILE | < token] [--policy ID]',
    description: `Asks, without minting, which trust policy an exchange would use and, for
every policy of the issuer, the first condition that fails and the value it
saw. Give the token's claims as a JSON file (--claims; with iss; no signature
or expiry is checked), or the outside token itself on stdin (verified first).
Needs tollgate:admin.`,
    options: `  --claims FILE          the claim set, e.g. a token's payload decoded
  --policy ID            check this policy only as an exchange naming it would
`,
    examples: [
      'tollgate trust-policies simulate --claims claims.json',
      'tollgate trust-policies simulate --policy tp_123 < "$OIDC_TOKEN_FILE"',
    ],
  }),
  run: async (args, io) => {
    const { values } = parseCommand('trust-policies simulate', args, {
      claims: { type: 'string' },
      policy: { type: 'string' },
    })
    const subject =
      values.claims === undefined
        ? { token: await readOutsideToken('trust-policies simulate', io) }
        : { claims: await readJsonObject('trust-policies simulate', '--claims', values.claims) }
    const { client } = await openSession(values, io)
    const result = await client.trustPolicies.simulate({
      ...subject,
      ...(values.policy === undefined ? {} : { policy: values.policy }),
    })
    printer(io, values.json === true).data(result, () => simulationText(result))
    return 0
  },
}

const events = eventsCommand({
  group: 'trust-policies',
  summary: "A trust policy's audit trail (kept after deletion)",
  description: 'Lists the audit records of a trust policy.',
  example: 'tollgate trust-policies events tp_123 --json',
  read: (client, id, page) => client.trustPolicies.events(id, page),
})

export const trustPoliciesCommands: CommandGroup = {
  name: 'trust-policies',
  aliases: ['tp'],
  summary: 'Create, list, show, update, delete and simulate trust policies (federation)',
  subcommands: [create, list, show, update, remove, simulate, events],
}
