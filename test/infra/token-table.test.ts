import { App, RemovalPolicy, Stack } from 'aws-cdk-lib'
import { Template } from 'aws-cdk-lib/assertions'
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb'
import { describe, expect, it } from 'vitest'
import { TOKEN_TABLE } from '../../functions/adapters/token-table.js'
import { TokenTable } from '../../infra/constructs/token-table.js'
import { Tollgate } from '../../infra/constructs/tollgate.js'
import { CDK_CONTEXT, logicalId, OUTDIR, statementsOfRole } from './support/synth.js'

const tableResource = (removalPolicy?: RemovalPolicy) => {
  const stack = new Stack(new App(), 'Table')
  const table = new TokenTable(stack, 'TokenTable', removalPolicy ? { removalPolicy } : {})
  return Template.fromStack(stack).toJSON().Resources[logicalId(table)]
}

describe('the token table’s removal policy', () => {
  it('keeps the table, deletion protected, by default', () => {
    expect(tableResource()).toMatchObject({
      DeletionPolicy: 'Retain',
      Properties: { DeletionProtectionEnabled: true },
    })
  })

  it('lets a throwaway stack delete it, protection off', () => {
    expect(tableResource(RemovalPolicy.DESTROY)).toMatchObject({
      DeletionPolicy: 'Delete',
      Properties: { DeletionProtectionEnabled: false },
    })
  })

  it('refuses a snapshot, which CloudFormation cannot take of a table', () => {
    expect(() => tableResource(RemovalPolicy.SNAPSHOT)).toThrow(/no snapshot/)
  })
})

describe('an adopted table (restored from point-in-time recovery)', () => {
  const stack = new Stack(new App({ outdir: OUTDIR, context: CDK_CONTEXT }), 'Adopting')
  const restored = dynamodb.Table.fromTableName(stack, 'Restored', 'tollgate-restored')
  const tollgate = new Tollgate(stack, 'Tollgate', { table: restored })
  const template = Template.fromStack(stack)

  it('makes no table and points every function at the one given', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 0)
    const exchange = tollgate.handlers.get('exchange-jwt')
    expect(
      template.toJSON().Resources[logicalId(exchange as never)].Properties.Environment.Variables
        .TABLE_NAME,
    ).toBe('tollgate-restored')
  })

  it('grants list queries on the given table’s indexes, by name', () => {
    const accessTokens = tollgate.handlers.get('access-tokens')
    const listTokens = statementsOfRole(template, stack, accessTokens?.role as never).find(
      (statement) => (statement as { Sid?: string }).Sid === 'ListAccessTokens',
    ) as { Resource: unknown[] }
    const indexes = JSON.stringify(listTokens.Resource)
    for (const index of [TOKEN_TABLE.ownerIndex, TOKEN_TABLE.listIndex]) {
      expect(indexes).toContain(`:table/tollgate-restored/index/${index.name}`)
    }
    expect(indexes).not.toContain('index/*')
  })

  it('refuses deny-list readers: the resource policy is the given table’s own', () => {
    const other = new Stack(new App(), 'Other')
    const table = dynamodb.Table.fromTableName(other, 'Restored', 'tollgate-restored')
    expect(
      () => new Tollgate(other, 'Tollgate', { table, denyListReaders: ['222222222222'] }),
    ).toThrow(/add that statement to your table/)
  })
})
