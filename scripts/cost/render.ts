import {
  type AuthorizationModel,
  authorizationModel,
  type CostLine,
  count,
  type ExchangeModel,
  exchangeLimits,
  exchangeModel,
  monitoringMonthly,
  xraySampledShare,
} from './model.js'
import { ASSUMPTIONS, PRICES } from './prices.js'
import { type CfnTemplate, EXCHANGE_ROUTE_KEY, templateFacts } from './template-facts.js'

/** The docs/cost-and-scale.md block `npm run cost` rewrites: all between the two lines is generated. */
export const BLOCK_BEGIN =
  '<!-- cost-model:begin (written by npm run cost from the synthesized stacks and scripts/cost/prices.ts; do not edit) -->'
export const BLOCK_END = '<!-- cost-model:end -->'

/** The stacks the model is computed from: both key sources, both algorithms. */
export const MODELLED_STACKS = [
  { keySource: 'kms', jwtAlg: 'RS256' },
  { keySource: 'kms', jwtAlg: 'ES256' },
  { keySource: 'secrets-manager', jwtAlg: 'RS256' },
  { keySource: 'secrets-manager', jwtAlg: 'ES256' },
] as const

const RATES = [1_000, 10_000, 100_000]

const usd = (value: number) => value.toFixed(2)
/** Cents as cents, smaller prices with their significant digits. */
const money = (value: number) =>
  `$${value >= 0.01 ? value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 }) : Number(value.toPrecision(6))}`
const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`

const costCells = (c: CostLine) => [
  usd(c.apiGateway),
  `${usd(c.lambda)} (${usd(c.coldStarts)})`,
  `${usd(c.dynamoDbReads)} + ≤ ${usd(c.dynamoDbWrites)}`,
  usd(c.kms),
  usd(c.logs),
  usd(c.xray),
  `**$${usd(c.total)}** (${usd(c.totalBusyTokens)})`,
]

const table = (header: readonly string[], rows: readonly (readonly string[])[]) =>
  [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${row.join(' | ')} |`),
  ].join('\n')

const COST_HEADER = [
  'API Gateway',
  'Lambda (of it, cold starts)',
  'DynamoDB reads + writes',
  'KMS',
  'Logs',
  'X-Ray',
  'total (tokens used more than once a minute)',
]

const exchangeSection = (models: readonly ExchangeModel[]) => {
  const [first] = models as [ExchangeModel]
  const f = first.facts
  const indexes = f.indexes
    .map(
      (i) =>
        `${i.name} ${i.projection}${i.nonKeyAttributes.length ? ` (${i.nonKeyAttributes.join(', ')})` : ''}`,
    )
    .join(', ')
  return [
    `**Per 1M exchanges** (\`${EXCHANGE_ROUTE_KEY}\`, HTTP API), in dollars:`,
    '',
    table(
      ['key source', ...COST_HEADER],
      models.map((m) => [
        `\`${m.facts.keySource}\`, ${m.facts.jwtAlg}`,
        ...costCells(m.perMillion),
      ]),
    ),
    '',
    `From the template: ${f.exchange.memoryMb} MB arm64 functions; indexes ${indexes}, so a \`last_used_at\` write costs ${first.writeUnitsPerUse} write unit${first.writeUnitsPerUse === 1 ? '' : 's'} (the item${first.writeUnitsPerUse > 1 ? ' and every index item projecting it' : ', no index item'}); ` +
      `≈ ${count(first.logBytesPerRequest)} bytes of logs per exchange (the access-log line of the stage's format, ≈ ${count(first.logBytesPerRequest - ASSUMPTIONS.platformLogBytes - ASSUMPTIONS.issuanceLogBytes)}, Lambda's ${ASSUMPTIONS.platformLogBytes} and the issuance line's ${ASSUMPTIONS.issuanceLogBytes}), kept ${f.exchange.logRetentionDays} days; ` +
      `X-Ray ${f.exchange.traced ? `active, ${(xraySampledShare() * 100).toFixed(1)} % of requests recorded at ${count(ASSUMPTIONS.xrayRequestsPerSecond)} requests/s (up to all of them below one a second)` : 'off'}. ` +
      `Assumed: warm billed ${models.map((m) => `${m.billedMs} ms (\`${m.facts.keySource}\` ${m.facts.jwtAlg})`).join(', ')}; ${ASSUMPTIONS.coldStartShare * 100} % of invocations cold, each billing ${ASSUMPTIONS.exchangeInitMs} ms of init; ${ASSUMPTIONS.exchangeReadUnits} read units (token and owner, strongly consistent); at most one \`last_used_at\` write (one a minute per token, so none for a token exchanging more often).`,
    '',
    `Fixed a month: ${models
      .filter((m) => m.facts.jwtAlg === 'RS256')
      .map(
        (m) =>
          `\`${m.facts.keySource}\` $${usd(m.fixedMonthly)} (${plural(m.facts.signingKeys + m.facts.rotatedKeys, 'KMS key')}, ${plural(m.facts.secrets, 'secret')}; monitoring $${usd(monitoringMonthly(m.facts))}: ${plural(m.facts.alarms, 'alarm')}, ${plural(m.facts.dashboards, 'dashboard')}, ${m.facts.metricFilters} metric-filter and ~${ASSUMPTIONS.emfMetricSeries} EMF metric series)`,
      )
      .join(
        ', ',
      )}, plus $1 a month per rotated key for each of its first two yearly rotations; the signing-key rotation (\`${models.find((m) => m.facts.rotationSchedule)?.facts.rotationSchedule ?? 'none'}\`) costs cents.`,
  ].join('\n')
}

const authorizationSection = (model: AuthorizationModel) =>
  [
    "**Per 1M authorizations** (the Lambda authorizer's own cost; the API request is the downstream API's), in dollars:",
    '',
    table(
      ['mode', ...COST_HEADER],
      [
        ['Bearer (either key source)', ...costCells(model.bearer)],
        ['Basic', ...costCells(model.basic)],
        ['native JWT authorizer', '0.00', '–', '–', '–', '–', '–', '**$0.00**'],
      ],
    ),
    '',
    `Assumed: ${ASSUMPTIONS.authorizerMs} ms billed, ${ASSUMPTIONS.authorizerInitMs} ms of init per cold start, Lambda's own log lines only (a decision logs nothing unless it refuses). Every request reaching the authorizer: the result cache (${model.cacheSeconds} s, per \`Authorization\` header and route) divides the Lambda, logs and X-Ray columns by the miss ratio. Keys, the pepper and the deny-list are read per instance, not per request.`,
  ].join('\n')

const scaleSection = (models: readonly ExchangeModel[]) =>
  models
    .filter((m) => m.facts.jwtAlg === 'RS256')
    .map((m) => {
      const limits = exchangeLimits(m)
      const [binding] = limits as [(typeof limits)[number]]
      return [
        `**Exchanges per second, \`${m.facts.keySource}\`** (the first limit binds first):`,
        '',
        table(
          ['limit', 'exchanges/s', ...RATES.map((rate) => `at ${count(rate)}/s`)],
          limits.map((limit) => [
            limit.what,
            count(limit.exchangesPerSecond),
            ...RATES.map((rate) => {
              const load = rate / limit.exchangesPerSecond
              return load > 1 ? `**${load.toFixed(1)}× over**` : `${Math.round(load * 100)} %`
            }),
          ]),
        ),
        '',
        `First to bind: ${binding.what}, at ${count(binding.exchangesPerSecond)} exchanges/s${binding.what.startsWith('stage') ? ', less every other route’s traffic' : ''}.`,
      ].join('\n')
    })
    .join('\n\n')

const pricesSection = () =>
  [
    '**Unit prices** (US East, list prices, no free tier; `scripts/cost/prices.ts`):',
    '',
    table(
      ['price', 'per', 'source', 'as of'],
      Object.values(PRICES).map((p) => [
        money(p.usd * p.quotedPer),
        `${p.quotedPer === 1 ? '' : `${p.quotedPer === 1e6 ? '1M' : count(p.quotedPer)} `}${p.unit}`,
        `<${p.source}>`,
        p.asOf,
      ]),
    ),
  ].join('\n')

/** The generated block: every figure computed from the templates and scripts/cost/prices.ts. */
export const costBlock = (templates: readonly CfnTemplate[]): string => {
  const models = templates.map((template) => exchangeModel(templateFacts(template)))
  const rs256Kms = models.find((m) => m.facts.keySource === 'kms' && m.facts.jwtAlg === 'RS256')
  if (rs256Kms === undefined) throw new Error('the model needs the kms RS256 stack')
  return [
    exchangeSection(models),
    authorizationSection(authorizationModel(rs256Kms)),
    scaleSection(models),
    pricesSection(),
  ].join('\n\n')
}

/** `page` with the block between the markers replaced by `block`. */
export const embedBlock = (page: string, block: string): string => {
  const begin = page.indexOf(BLOCK_BEGIN)
  const end = page.indexOf(BLOCK_END)
  if (begin === -1 || end < begin) throw new Error(`the page has no ${BLOCK_BEGIN} block`)
  return `${page.slice(0, begin + BLOCK_BEGIN.length)}\n${block}\n${page.slice(end)}`
}

/** The generated block of a page, or undefined without markers. */
export const embeddedBlock = (page: string): string | undefined => {
  const begin = page.indexOf(BLOCK_BEGIN)
  const end = page.indexOf(BLOCK_END)
  if (begin === -1 || end < begin) return undefined
  return page.slice(begin + BLOCK_BEGIN.length, end).trim()
}
