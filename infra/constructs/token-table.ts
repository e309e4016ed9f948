import { RemovalPolicy } from 'aws-cdk-lib'
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb'
import type { Construct } from 'constructs'
import { TOKEN_TABLE } from '../../functions/adapters/token-table.js'

/**
 * Tollgate's one DynamoDB table, with the key schema of
 * `functions/adapters/token-table.ts` (the same the dev server creates on
 * DynamoDB Local): on-demand, point-in-time recovery, deletion protection,
 * TTL, and kept when the stack goes (it holds every token's hash and audit).
 *
 * @example
 * const table = new TokenTable(this, 'Table')
 */
export class TokenTable extends dynamodb.Table {
  /** ARNs of the indexes, for grants that query them (never `index/*`). */
  readonly indexArns: readonly string[]

  constructor(scope: Construct, id: string) {
    const { partitionKey, sortKey, ownerIndex, listIndex, timeToLiveAttribute } = TOKEN_TABLE
    super(scope, id, {
      partitionKey: { name: partitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: sortKey, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      timeToLiveAttribute,
      removalPolicy: RemovalPolicy.RETAIN,
    })
    for (const index of [ownerIndex, listIndex]) {
      this.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: index.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.ALL,
      })
    }
    this.indexArns = [ownerIndex, listIndex].map((index) => `${this.tableArn}/index/${index.name}`)
  }
}
