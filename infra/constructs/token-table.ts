import { RemovalPolicy } from 'aws-cdk-lib'
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb'
import * as iam from 'aws-cdk-lib/aws-iam'
import type { Construct } from 'constructs'
import { TOKEN_TABLE } from '../../functions/adapters/token-table.js'
import { PARTITIONS } from './permissions.js'

export interface TokenTableProps {
  /**
   * What deleting the stack (or replacing the table) does to it. `DESTROY`
   * also turns deletion protection off, for throwaway stacks; CloudFormation
   * cannot snapshot a DynamoDB table, so `SNAPSHOT` is refused.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy
}

/** ARNs of the token table's indexes, for grants that query them (never `index/*`). */
export const tokenIndexArns = (tableArn: string): readonly string[] =>
  [TOKEN_TABLE.ownerIndex, TOKEN_TABLE.listIndex].map((index) => `${tableArn}/index/${index.name}`)

/**
 * Tollgate's one DynamoDB table, with the key schema of
 * `functions/adapters/token-table.ts` (the same the dev server creates on
 * DynamoDB Local): on-demand, point-in-time recovery, deletion protection,
 * TTL, and kept when the stack goes (it holds every token's hash and audit).
 * Both indexes project only what lists filter on, never `last_used_at`;
 * CloudFormation changes one index per update, so a later change to more
 * than one index takes one deploy per index (docs/cost-and-scale.md).
 *
 * @example
 * const table = new TokenTable(this, 'Table')
 */
export class TokenTable extends dynamodb.Table {
  /** ARNs of the indexes, for grants that query them (never `index/*`). */
  readonly indexArns: readonly string[]

  constructor(scope: Construct, id: string, props: TokenTableProps = {}) {
    const { partitionKey, sortKey, ownerIndex, listIndex, timeToLiveAttribute } = TOKEN_TABLE
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN
    if (removalPolicy === RemovalPolicy.SNAPSHOT) {
      throw new Error(
        'Tollgate: a DynamoDB table has no snapshot on deletion; use RETAIN (and point-in-time recovery) or DESTROY',
      )
    }
    super(scope, id, {
      partitionKey: { name: partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: removalPolicy !== RemovalPolicy.DESTROY,
      timeToLiveAttribute,
      removalPolicy,
    })
    for (const index of [ownerIndex, listIndex]) {
      this.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.INCLUDE,
        nonKeyAttributes: [...index.projectedAttributes],
      })
    }
    this.indexArns = tokenIndexArns(this.tableArn)
  }

  /**
   * Lets consumers' authorizers in other accounts (KEY_SOURCE=jwks, which
   * hold no key of ours) read the deny-list: `dynamodb:Query` on the
   * `DENY#` partitions and nothing else, in the table's resource policy.
   * A resource policy rather than a role to assume: the authorizer makes
   * no STS call on its cold path and keeps no second set of credentials to
   * refresh, the grant is one statement here, and CloudTrail names the
   * consumer's own role. Its resource is `*`, the table it is attached to
   * (its own ARN would be a circular reference): an index is covered too,
   * but no index partition starts with `DENY#` (TOKENS_OF#…, TOKENS,
   * SERVICE_ACCOUNTS), so a Query there matches no partition it may read.
   * Each reader's own IAM policy must allow the Query too, as
   * `remoteTollgateIssuer` grants.
   *
   * @example
   * table.allowDenyListReads(['222222222222', 'arn:aws:iam::333333333333:role/Authorizer'])
   */
  allowDenyListReads(readers: readonly string[]): void {
    if (readers.length === 0) return
    this.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'ConsumersReadDenyList',
        principals: readers.map(principalOf),
        actions: ['dynamodb:Query'],
        resources: ['*'],
        conditions: {
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [PARTITIONS.denyList] },
        },
      }),
    )
  }
}

const ACCOUNT_ID = /^\d{12}$/
const IAM_PRINCIPAL_ARN =
  /^arn:aws[a-z-]*:iam::\d{12}:(root|role\/[\w+=,.@/-]+|user\/[\w+=,.@/-]+)$/

/** An account id (its root: the account's own IAM decides who) or a role or user ARN. */
const principalOf = (reader: string): iam.IPrincipal => {
  if (ACCOUNT_ID.test(reader)) return new iam.AccountPrincipal(reader)
  if (IAM_PRINCIPAL_ARN.test(reader)) return new iam.ArnPrincipal(reader)
  throw new Error(
    `Tollgate: denyListReaders holds account ids (12 digits) and IAM role or user ARNs; "${reader}" is neither`,
  )
}
