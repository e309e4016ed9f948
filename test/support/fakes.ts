import { generateKeyPairSync, sign } from 'node:crypto'
import { TollgateError } from '../../functions/core/errors.js'
import type { Clock, Secrets, Signer, TokenStore } from '../../functions/core/ports.js'
import type { AccessTokenRecord, ServiceAccountRecord } from '../../functions/core/records.js'

/** A clock that only moves when told to. */
export const fixedClock = (start = Date.UTC(2026, 0, 1)): Clock & { advance(ms: number): void } => {
  let now = start
  return {
    now: () => now,
    advance: (ms) => {
      now += ms
    },
  }
}

export const fixedSecrets = (pepper = Buffer.alloc(32, 7)): Secrets => ({
  currentPepper: async () => ({ version: '1', key: pepper }),
  pepperOf: async (version) => (version === '1' ? pepper : undefined),
})

/** A real RS256/ES256 signer over a fresh node:crypto key, for core tests. */
export const testSigner = (alg: Signer['alg'] = 'RS256') => {
  const { privateKey, publicKey } =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const kid = `test-${alg}`
  const signer: Signer = {
    alg,
    sign: async (signingInputFor) => {
      const signingInput = signingInputFor(kid)
      const key =
        alg === 'ES256' ? { key: privateKey, dsaEncoding: 'ieee-p1363' as const } : privateKey
      return { kid, signingInput, signature: sign('sha256', signingInput, key) }
    },
  }
  return { signer, publicKey }
}

/** In-memory TokenStore with the same conflict rules as the DynamoDB one. */
export class MemoryTokenStore implements TokenStore {
  readonly tokens = new Map<string, AccessTokenRecord>()
  readonly accounts = new Map<string, ServiceAccountRecord>()
  readonly uses: Array<{ id: string; at: number }> = []
  bootstrapped = false

  async getToken(id: string) {
    return this.tokens.get(id)
  }

  async recordTokenUse(id: string, at: number, unlessUsedSince: number) {
    const token = this.tokens.get(id)
    if (token === undefined) return
    if (token.lastUsedAt !== null && token.lastUsedAt > unlessUsedSince) return
    this.tokens.set(id, { ...token, lastUsedAt: at })
    this.uses.push({ id, at })
  }

  async isBootstrapped() {
    return this.bootstrapped
  }

  async createServiceAccountWithToken(
    account: ServiceAccountRecord,
    token: AccessTokenRecord,
    options: { asFirstAdmin: boolean },
  ) {
    if ([...this.accounts.values()].some((existing) => existing.name === account.name)) {
      throw new TollgateError('conflict', 'A service account with this name already exists.')
    }
    if (options.asFirstAdmin && this.bootstrapped) {
      throw new TollgateError('conflict', 'Tollgate is already bootstrapped.')
    }
    this.accounts.set(account.id, account)
    this.tokens.set(token.id, token)
    if (options.asFirstAdmin) this.bootstrapped = true
  }
}
