import { describe, expect, it } from 'vitest'
import { TollgateError, WriteConflict } from '../../../../functions/core/errors.js'
import {
  commitExplained,
  retryOnConflict,
} from '../../../../functions/core/use-cases/retry-on-conflict.js'
import { rejectionOf } from '../../../support/errors.js'

describe('retryOnConflict', () => {
  it('runs the attempt again after a lost race, and returns its result', async () => {
    let attempts = 0

    const result = await retryOnConflict(async () => {
      attempts++
      if (attempts < 3) throw new WriteConflict(0, 'condition')
      return 'done'
    })

    expect(result).toBe('done')
    expect(attempts).toBe(3)
  })

  it('passes any other error through at once', async () => {
    let attempts = 0

    const error = await rejectionOf(
      retryOnConflict(async () => {
        attempts++
        throw new TollgateError('conflict', 'name taken')
      }),
    )

    expect(error.code).toBe('conflict')
    expect(attempts).toBe(1)
  })

  it('gives up on endless contention with unavailable (503), never a 409 verdict', async () => {
    const error = await rejectionOf(
      retryOnConflict(async () => {
        throw new WriteConflict(1, 'contention')
      }),
    )

    expect(error.code).toBe('unavailable')
  })
})

describe('commitExplained', () => {
  it('turns a failed condition on a named intent into its conflict, others stay retryable', async () => {
    const failing = (index: number) => ({
      commit: async () => {
        throw new WriteConflict(index, 'condition')
      },
    })
    const intents = [
      { kind: 'claimBootstrap', accountId: 'sa_1', at: 0 },
      { kind: 'claimBootstrap', accountId: 'sa_1', at: 0 },
    ] as const

    const explained = await rejectionOf(
      commitExplained(failing(0), intents, { claimBootstrap: 'Already bootstrapped.' }),
    )
    const raw = await commitExplained(failing(0), intents, {}).catch((e: unknown) => e)

    expect(explained).toMatchObject({ code: 'conflict', message: 'Already bootstrapped.' })
    expect(raw).toBeInstanceOf(WriteConflict)
  })
})
