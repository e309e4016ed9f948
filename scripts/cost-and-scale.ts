import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { REPO_ROOT } from '../infra/bundling.js'
import { costBlock, embedBlock } from './cost/render.js'
import { synthModelledStacks } from './cost/synth-stacks.js'

/**
 * `npm run cost`: synthesizes the stacks, computes the cost and scale models
 * from their templates and scripts/cost/prices.ts, and rewrites the block of
 * docs/cost-and-scale.md (test/docs/cost-and-scale.test.ts fails when the
 * block and the templates disagree).
 */
const PAGE = join(REPO_ROOT, 'docs/cost-and-scale.md')
const outdir = mkdtempSync(join(tmpdir(), 'tollgate-cost-'))
try {
  const context = JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')).context
  const block = costBlock(synthModelledStacks(outdir, context))
  writeFileSync(PAGE, embedBlock(readFileSync(PAGE, 'utf8'), block))
  console.log('wrote docs/cost-and-scale.md')
} finally {
  rmSync(outdir, { recursive: true, force: true })
}
