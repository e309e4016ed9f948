import { describe, expect, it } from 'vitest'
import type { AwsJsonClient } from '../../../functions/adapters/aws-json-client.js'
import { jsonQueryPartitionPage } from '../../../functions/adapters/aws-json-reads.js'

/** An AwsJsonClient that answers every call with `answer` and records what it was sent. */
const answering = (answer: Record<string, unknown>) => {
  const sent: Array<[string, unknown]> = []
  const client: AwsJsonClient = {
    endpoint: new URL('http://127.0.0.1:1'),
    send: async (operation, input) => {
      sent.push([operation, input])
      return answer
    },
    destroy: () => {},
  }
  return { client, sent }
}

describe('jsonQueryPartitionPage', () => {
  it('queries one partition from a sort key on, strongly consistent, and hands the next page key back', async () => {
    const next = { pk: { S: 'DENY#2026-12-07T10' }, sk: { S: '0001' } }
    const { client, sent } = answering({ Items: [], LastEvaluatedKey: next })

    const page = await jsonQueryPartitionPage(client)({
      tableName: 'tollgate',
      pk: 'DENY#2026-12-07T10',
      fromSortKey: '000001765101600000#',
      start: undefined,
    })
    await jsonQueryPartitionPage(client)({ tableName: 't', pk: 'p', fromSortKey: 's', start: next })

    expect(page).toEqual({ items: [], next })
    expect(sent[0]).toEqual([
      'Query',
      {
        TableName: 'tollgate',
        KeyConditionExpression: 'pk = :pk AND sk >= :from',
        ExpressionAttributeValues: {
          ':pk': { S: 'DENY#2026-12-07T10' },
          ':from': { S: '000001765101600000#' },
        },
        ConsistentRead: true,
      },
    ])
    expect(sent[1]?.[1]).toMatchObject({ ExclusiveStartKey: next })
  })

  it('reads items as the DocumentClient does', async () => {
    const item = {
      s: 'text',
      n: 9_007_199_254_740_991,
      f: -1.5,
      yes: true,
      none: null,
      list: [1, 'two', { three: 3 }],
      map: { nested: { deep: 'x' } },
      strings: new Set(['a', 'b']),
      numbers: new Set([1, 2]),
      bytes: new Uint8Array([1, 2, 3]),
    }
    // As DynamoDB's JSON protocol sends it: numbers as strings, binary as base64.
    const wire = {
      s: { S: 'text' },
      n: { N: '9007199254740991' },
      f: { N: '-1.5' },
      yes: { BOOL: true },
      none: { NULL: true },
      list: { L: [{ N: '1' }, { S: 'two' }, { M: { three: { N: '3' } } }] },
      map: { M: { nested: { M: { deep: { S: 'x' } } } } },
      strings: { SS: ['a', 'b'] },
      numbers: { NS: ['1', '2'] },
      bytes: { B: 'AQID' },
    }
    const { client } = answering({ Items: [wire] })

    const { items } = await jsonQueryPartitionPage(client)({
      tableName: 't',
      pk: 'p',
      fromSortKey: 's',
      start: undefined,
    })

    expect(items).toEqual([{ ...item, bytes: Buffer.from([1, 2, 3]) }])
    expect(Object.getPrototypeOf(items[0])).toBe(Object.prototype)
  })

  it('refuses numbers it would round, and keeps __proto__ an ordinary member', async () => {
    const rounding = answering({ Items: [{ n: { N: '9007199254740993' } }] }).client
    const proto = answering({
      Items: [JSON.parse('{"__proto__": {"M": {"polluted": {"BOOL": true}}}}')],
    }).client
    const query = { tableName: 't', pk: 'p', fromSortKey: 's', start: undefined }

    await expect(jsonQueryPartitionPage(rounding)(query)).rejects.toThrow(/safe integers/)
    const [item] = (await jsonQueryPartitionPage(proto)(query)).items
    expect(Object.hasOwn(item ?? {}, '__proto__')).toBe(true)
    expect((item as { polluted?: unknown }).polluted).toBeUndefined()
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined()
  })
})
