import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { tokenToItem } from '../../functions/adapters/dynamodb-items.js'
import { TOKEN_TABLE } from '../../functions/adapters/token-table.js'
import { REPO_ROOT } from '../../infra/bundling.js'
import { exchangeModel } from '../../scripts/cost/model.js'
import {
  BLOCK_BEGIN,
  BLOCK_END,
  costBlock,
  embedBlock,
  embeddedBlock,
} from '../../scripts/cost/render.js'
import { synthModelledStacks } from '../../scripts/cost/synth-stacks.js'
import { type CfnTemplate, templateFacts } from '../../scripts/cost/template-facts.js'
import { CDK_CONTEXT, OUTDIR } from '../infra/support/synth.js'
import { MemoryStore } from '../support/fakes.js'
import { seedToken } from '../support/seed.js'

const templates = synthModelledStacks(OUTDIR, CDK_CONTEXT)
const kmsRs256 = templates[0] as CfnTemplate

/** The template with both indexes projecting everything, as before this model existed. */
const withAllProjections = (template: CfnTemplate): CfnTemplate => {
  const copy = structuredClone(template) as CfnTemplate
  for (const resource of Object.values(copy.Resources)) {
    if (resource.Type !== 'AWS::DynamoDB::Table') continue
    for (const index of resource.Properties.GlobalSecondaryIndexes) {
      index.Projection = { ProjectionType: 'ALL' }
    }
  }
  return copy
}

describe('the cost and scale block of docs/cost-and-scale.md', () => {
  it('is what the model computes from the synthesized templates (npm run cost rewrites it)', () => {
    const page = readFileSync(join(REPO_ROOT, 'docs/cost-and-scale.md'), 'utf8')
    expect(embeddedBlock(page)).toBe(costBlock(templates))
  })

  it('replaces only what lies between its markers', () => {
    const page = readFileSync(join(REPO_ROOT, 'docs/cost-and-scale.md'), 'utf8')
    const rewritten = embedBlock(page, 'new block')
    const before = page.slice(0, page.indexOf(BLOCK_BEGIN))
    const after = page.slice(page.indexOf(BLOCK_END))
    expect(rewritten).toBe(`${before}${BLOCK_BEGIN}\nnew block\n${after}`)
    expect(() => embedBlock('no markers', 'new')).toThrow(/cost-model/)
  })
})

describe('the model', () => {
  it('reads the functions through the route and the authorizer, and the stage, from the template', () => {
    const facts = templateFacts(kmsRs256)
    expect(facts).toMatchObject({
      keySource: 'kms',
      jwtAlg: 'RS256',
      exchange: {
        memoryMb: 512,
        arm64: true,
        traced: true,
        logRetentionDays: 30,
        // Half the minting budget of 13: /oauth2 signs too and holds the other 6.
      reservedConcurrency: 7,
      },
      stageThrottle: { rateLimit: 1000, burstLimit: 2000 },
      rotationSchedule: undefined,
    })
    expect(facts.indexes.map((index) => index.name)).toEqual([
      TOKEN_TABLE.ownerIndex.name,
      TOKEN_TABLE.listIndex.name,
    ])
  })

  it('counts one write unit per last_used_at write now, three with ALL projections', () => {
    // Token items carry every index's keys, so an index projecting last_used_at is rewritten too.
    const { record } = seedToken(new MemoryStore(), { pepper: Buffer.alloc(32), now: Date.now() })
    const item = tokenToItem(record)
    for (const index of [TOKEN_TABLE.ownerIndex, TOKEN_TABLE.listIndex]) {
      expect(item).toHaveProperty(index.partitionKey)
    }
    expect(exchangeModel(templateFacts(kmsRs256)).writeUnitsPerUse).toBe(1)
    expect(exchangeModel(templateFacts(withAllProjections(kmsRs256))).writeUnitsPerUse).toBe(3)
  })

  it('prices a kms RS256 exchange with ALL projections at the $6.49 the review found, before logs, X-Ray and cold starts', () => {
    const { perMillion: c } = exchangeModel(templateFacts(withAllProjections(kmsRs256)))
    const reviewed = c.total - c.logs - c.xray - c.coldStarts
    expect(reviewed).toBeCloseTo(6.49, 1)
  })

  it('follows the template: more memory costs more, a shorter log retention less', () => {
    const facts = templateFacts(kmsRs256)
    const base = exchangeModel(facts).perMillion
    const bigger = exchangeModel({ ...facts, exchange: { ...facts.exchange, memoryMb: 1024 } })
    const shorter = exchangeModel({
      ...facts,
      exchange: { ...facts.exchange, logRetentionDays: 1 },
    })
    expect(bigger.perMillion.lambda).toBeGreaterThan(base.lambda)
    expect(shorter.perMillion.logs).toBeLessThan(base.logs)
  })
})
