import {
  type Capability,
  type GrantTargets,
  statementsFor,
} from '../../infra/constructs/permissions.js'
import type { DynamoDbAccess } from './fake-aws.js'

/** An IAM statement as `toStatementJson()` renders it. */
export interface StatementJson {
  readonly Sid?: string
  readonly Action: string | string[]
  readonly Resource: string | string[]
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string[]>>>>
}

/** The table and its indexes as the test grants name them. */
export const TEST_TABLE_ARN = 'arn:table'
export const testIndexArn = (index: string): string => `${TEST_TABLE_ARN}/index/${index}`

/** The IAM statements the stack grants for these capabilities (infra/constructs/permissions.ts). */
export const grantedStatements = (
  keySource: 'kms' | 'secrets-manager',
  capabilities: readonly Capability[],
): StatementJson[] => {
  const secret = { secretArn: 'arn:secret', keyArn: 'arn:key' }
  const targets: GrantTargets = {
    keySource,
    jwtAlg: keySource === 'kms' ? 'ES256' : 'RS256',
    tableArn: TEST_TABLE_ARN,
    indexArns: [testIndexArn('gsi1'), testIndexArn('gsi2')],
    kmsKeyArns: ['arn:signing-key'],
    pepper: secret,
    signingKeys: keySource === 'kms' ? undefined : secret,
    secretsManagerService: 'secretsmanager.eu-west-1.amazonaws.com',
  }
  return statementsFor(capabilities, targets).map(
    (statement) => statement.toStatementJson() as StatementJson,
  )
}

/** `dynamodb:LeadingKeys` patterns of a statement: StringLike (`*` any) or StringEquals. */
const leadingKeysOf = (statement: StatementJson) => ({
  like: statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'],
  equal: statement.Condition?.['ForAllValues:StringEquals']?.['dynamodb:LeadingKeys'],
})

const likePattern = (pattern: string): RegExp =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`)

/** Whether `pk` passes the statement's `dynamodb:LeadingKeys`, as IAM reads it (all values). */
export const leadingKeysAllow = (statement: StatementJson, pk: string | undefined): boolean => {
  if (statement.Condition === undefined) return true
  const { like, equal } = leadingKeysOf(statement)
  if (pk === undefined) return like === undefined && equal === undefined
  return (like ?? []).some((pattern) => likePattern(pattern).test(pk)) || (equal ?? []).includes(pk)
}

/** Whether the statements allow `action` (on `resource`, for the partition `pk`). */
export const grants = (
  statements: readonly StatementJson[],
  action: string,
  resource?: string,
  pk?: string,
): boolean =>
  statements.some(
    (statement) =>
      [statement.Action].flat().includes(action) &&
      (resource === undefined || [statement.Resource].flat().includes(resource)) &&
      (resource === undefined || leadingKeysAllow(statement, pk)),
  )

/** Where IAM evaluates one recorded DynamoDB access: the table with its partition, or an index. */
const resourceOf = (access: DynamoDbAccess): string =>
  access.index === undefined ? TEST_TABLE_ARN : testIndexArn(access.index)

/** The recorded DynamoDB accesses these statements do not allow: `dynamodb:PutItem TOKEN#…`. */
export const ungrantedAccesses = (
  statements: readonly StatementJson[],
  accesses: readonly DynamoDbAccess[],
): string[] => [
  ...new Set(
    accesses
      .filter((access) => !grants(statements, access.action, resourceOf(access), access.pk))
      .map((access) => `${access.action} ${access.pk ?? `index ${access.index}`}`),
  ),
]

/**
 * What of the statements' DynamoDB grant no recorded access used: each
 * action on each resource and partition pattern, as `dynamodb:Query
 * AUDIT#token#*` or `dynamodb:Query index gsi1`. Empty when the grant is
 * exactly as wide as the calls.
 */
export const unusedDynamoDbGrants = (
  statements: readonly StatementJson[],
  accesses: readonly DynamoDbAccess[],
): string[] =>
  statements
    .filter((statement) => [statement.Action].flat().some((a) => a.startsWith('dynamodb:')))
    .flatMap((statement) =>
      [statement.Action].flat().flatMap((action) =>
        [statement.Resource].flat().flatMap((resource) => {
          const used = accesses.filter(
            (access) => access.action === action && resourceOf(access) === resource,
          )
          if (resource !== TEST_TABLE_ARN) {
            return used.length > 0 ? [] : [`${action} index ${resource.split('/').pop()}`]
          }
          const { like = [], equal = [] } = leadingKeysOf(statement)
          return [
            ...like.filter(
              (pattern) => !used.some((access) => likePattern(pattern).test(access.pk ?? '')),
            ),
            ...equal.filter((key) => !used.some((access) => access.pk === key)),
          ].map((pattern) => `${action} ${pattern}`)
        }),
      ),
    )
