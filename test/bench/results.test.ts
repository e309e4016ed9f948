import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { judge } from './figures.js'
import { embeddedBlock, embedInReadme, README_BEGIN, README_END, renderMarkdown } from './report.js'
import { spreadOf } from './stats.js'
import type { BenchResults, Figure } from './types.js'

/**
 * The committed results of `npm run bench` and the docs/benchmarks.md block made from
 * them: shapes and consistency only, never the numbers (they are this
 * machine's, and the bench reports rather than asserts).
 */

const read = (path: string) => readFile(new URL(path, import.meta.url), 'utf8')
const results = JSON.parse(await read('./bench-results.json')) as BenchResults
const figuresOf = (suite: BenchResults['suites'][number]): Figure[] => [
  ...suite.figures,
  ...(suite.grid?.rows.flatMap((row) => row.cells) ?? []),
]

describe('test/bench/bench-results.json', () => {
  it('holds every suite npm run bench runs, with the machine it ran on', () => {
    expect(results.suites.map((suite) => suite.id)).toEqual([
      'exchange',
      'authorizer.RS256',
      'authorizer.ES256',
      'authorizer.cold',
      'functions.cold',
    ])
    expect(results.machine).toMatchObject({
      node: expect.any(String),
      cpu: expect.any(String),
      cores: expect.any(Number),
    })
  })

  it('gives every figure a median with its spread, and ids that are unique', () => {
    const figures = results.suites.flatMap(figuresOf)
    expect(new Set(figures.map((figure) => figure.id)).size).toBe(figures.length)
    for (const figure of figures) {
      expect(Object.keys(figure.value).sort()).toEqual(['max', 'median', 'min', 'n', 'p25', 'p75'])
      if (figure.value.n > 1) {
        expect(figure.value.min).toBeLessThanOrEqual(figure.value.p25)
        expect(figure.value.p25).toBeLessThanOrEqual(figure.value.median)
        expect(figure.value.median).toBeLessThanOrEqual(figure.value.p75)
        expect(figure.value.p75).toBeLessThanOrEqual(figure.value.max)
      }
    }
  })

  it('judges every goal by the rule docs/benchmarks.md states', () => {
    for (const figure of results.suites.flatMap(figuresOf)) {
      if (figure.goal === undefined) continue
      expect(figure.verdict, figure.id).toBe(judge(figure.value, figure.goal))
    }
  })

  it('carries the figures the issue asks for', () => {
    const ids = new Set(results.suites.flatMap(figuresOf).map((figure) => figure.id))
    for (const id of [
      'authorizer.RS256.distinct_on_over_floor',
      'authorizer.RS256.repeated_on_over_floor',
      'authorizer.ES256.distinct_on_over_floor',
      'authorizer.cold.local_off.total_over_baseline',
      'authorizer.cold.local_on.first',
      'authorizer.cold.kms_off.first',
      'authorizer.cold.sm_off.first',
      'exchange.over_floor',
      'functions.cold.exchange-jwt.import',
    ]) {
      expect(ids, id).toContain(id)
    }
  })
})

describe('the benchmark block of docs/benchmarks.md', () => {
  it('is the Markdown of bench-results.json (npm run bench -- --render redoes it)', async () => {
    const readme = await read('../../docs/benchmarks.md')
    expect(embeddedBlock(readme)).toBe(renderMarkdown(results))
    expect(await read('./bench-results.md')).toBe(`${renderMarkdown(results)}\n`)
  })

  it('replaces only what lies between its markers', () => {
    const readme = `before\n${README_BEGIN}\nold\n${README_END}\nafter\n`
    expect(embedInReadme(readme, 'new')).toBe(
      `before\n${README_BEGIN}\nnew\n${README_END}\nafter\n`,
    )
    expect(() => embedInReadme('no markers', 'new')).toThrow(/bench-results/)
  })
})

describe('judge', () => {
  const spread = (p25: number, median: number, p75: number) => ({
    ...spreadOf([p25, median, p75]),
    p25,
    median,
    p75,
  })

  it('calls a goal met or missed only when the interquartile range is on one side', () => {
    expect(judge(spread(0.76, 0.8, 0.82), { op: '>=', value: 0.75 })).toBe('met')
    expect(judge(spread(0.7, 0.72, 0.74), { op: '>=', value: 0.75 })).toBe('missed')
    expect(judge(spread(0.74, 0.8, 0.82), { op: '>=', value: 0.75 })).toBe('unresolved')
    expect(judge(spread(20, 25, 29), { op: '<=', value: 30 })).toBe('met')
    expect(judge(spread(31, 35, 40), { op: '<=', value: 30 })).toBe('missed')
    expect(judge(spread(25, 29, 31), { op: '<=', value: 30 })).toBe('unresolved')
  })
})
