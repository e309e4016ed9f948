import { generateKeyPairSync, sign } from 'node:crypto'
import { newTokenId } from '../../functions/core/access-token.js'
import type { Config } from '../../functions/core/config.js'
import type { DenyListReader } from '../../functions/core/deny-list.js'
import { WriteConflict } from '../../functions/core/errors.js'
import { jwtVerifierFor } from '../../functions/core/jwt-verifier.js'
import { type OwnerRef, ownerTag, ownerTagOfTokenId } from '../../functions/core/owners.js'
import type { PersonVerifier } from '../../functions/core/person-verifier.js'
import type {
  Clock,
  KeySet,
  OutsideTokenVerifier,
  Page,
  PageRequest,
  Secrets,
  Signer,
  Store,
  WriteIntent,
} from '../../functions/core/ports.js'
import type {
  AccessTokenRecord,
  AuditEvent,
  AuditSubject,
  DenyEntry,
  OwnerRecord,
} from '../../functions/core/records.js'
import type { TrustPolicy } from '../../functions/core/trust-policy.js'
import type { Dependencies } from '../../functions/wiring/dependencies.js'

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

/**
 * In-memory Store with the DynamoDB store's conditions, intent by intent and
 * all-or-nothing, so core rules tested on it hold for the same reasons as on
 * DynamoDB (where the integration tests check them again).
 */
export class MemoryStore implements Store {
  readonly tokens = new Map<string, AccessTokenRecord>()
  /** By owner tag, as on the table: two owners with one tag share a slot. */
  readonly owners = new Map<string, OwnerRecord>()
  readonly accountNames = new Map<string, string>()
  readonly trustPolicies = new Map<string, TrustPolicy>()
  readonly audit: AuditEvent[] = []
  readonly denied: DenyEntry[] = []
  readonly uses: Array<{ id: string; at: number }> = []
  bootstrapped = false
  /** Runs before each commit; a test can make a concurrent write happen there. */
  beforeCommit: (() => void) | undefined

  async getTokenWithOwner(tokenId: string) {
    return { token: this.tokens.get(tokenId), owner: this.owners.get(ownerTagOfTokenId(tokenId)) }
  }

  async getTokens(tokenIds: readonly string[]) {
    return [...new Set(tokenIds)].flatMap((id) => {
      const token = this.tokens.get(id)
      return token === undefined ? [] : [token]
    })
  }

  async listTokens(
    filter: { owner: OwnerRef | undefined; name: string | undefined },
    page: PageRequest,
  ) {
    const all = [...this.tokens.values()]
      .filter((t) => filter.owner === undefined || t.owner.id === filter.owner.id)
      .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
    return pageOf(all, page, (t) => t.name === (filter.name ?? t.name))
  }

  async getOwner(owner: OwnerRef) {
    const found = this.owners.get(ownerTag(owner.id))
    return found?.ref.id === owner.id ? found : undefined
  }

  async getOwners(owners: readonly OwnerRef[]) {
    return owners.flatMap((owner) => {
      const found = this.owners.get(ownerTag(owner.id))
      return found === undefined ? [] : [found]
    })
  }

  async listServiceAccounts(page: PageRequest) {
    const all = [...this.owners.values()]
      .filter((o) => o.account !== undefined && o.status === 'active')
      .sort((a, b) => (b.account?.createdAt ?? 0) - (a.account?.createdAt ?? 0))
    return pageOf(all, page, () => true)
  }

  async getTrustPolicy(id: string) {
    return this.trustPolicies.get(id)
  }

  async listTrustPolicies(page: PageRequest) {
    const all = [...this.trustPolicies.values()].sort((a, b) => (a.id < b.id ? 1 : -1))
    return pageOf(all, page, () => true)
  }

  async getPolicyGrant(tpid: string) {
    const policy = this.trustPolicies.get(tpid)
    if (policy === undefined) return { policy: undefined, owner: undefined }
    return {
      policy,
      owner: await this.getOwner({ type: 'service_account', id: policy.serviceAccountId }),
    }
  }

  async trustPoliciesOf(issuer: string) {
    return [...this.trustPolicies.values()].filter((policy) => policy.issuer === issuer)
  }

  async listEvents(subject: AuditSubject, page: PageRequest) {
    const all = this.audit
      .filter((e) => e.subject.type === subject.type && e.subject.id === subject.id)
      .sort((a, b) => b.at - a.at)
    return pageOf(all, page, () => true)
  }

  async isBootstrapped() {
    return this.bootstrapped
  }

  async recordTokenUse(id: string, at: number, unlessUsedSince: number) {
    const token = this.tokens.get(id)
    if (token === undefined) return
    if (token.lastUsedAt !== null && token.lastUsedAt > unlessUsedSince) return
    this.tokens.set(id, { ...token, lastUsedAt: at })
    this.uses.push({ id, at })
  }

  async commit(intents: readonly WriteIntent[]) {
    this.beforeCommit?.()
    intents.forEach((intent, index) => {
      if (!this.#holds(intent)) throw new WriteConflict(index, 'condition')
    })
    for (const intent of intents) this.#apply(intent)
  }

  #holds(intent: WriteIntent): boolean {
    switch (intent.kind) {
      case 'createToken':
        return !this.tokens.has(intent.token.id)
      case 'updateToken':
        return this.tokens.get(intent.token.id)?.version === intent.expectedVersion
      case 'createOwner':
        return !this.owners.has(ownerTag(intent.owner.ref.id))
      case 'updateOwner': {
        const current = this.owners.get(ownerTag(intent.owner.ref.id))
        return current?.version === intent.expectedVersion && current.ref.id === intent.owner.ref.id
      }
      case 'reserveAccountName':
        return !this.accountNames.has(intent.name)
      case 'releaseAccountName':
        return this.accountNames.get(intent.name) === intent.accountId
      case 'claimBootstrap':
        return !this.bootstrapped
      case 'createTrustPolicy':
        return !this.trustPolicies.has(intent.policy.id)
      case 'updateTrustPolicy':
        return this.trustPolicies.get(intent.policy.id)?.version === intent.expectedVersion
      case 'deleteTrustPolicy':
        return this.trustPolicies.get(intent.id)?.version === intent.expectedVersion
      case 'deny':
      case 'audit':
        return true
    }
  }

  #apply(intent: WriteIntent): void {
    switch (intent.kind) {
      case 'createToken':
        this.tokens.set(intent.token.id, intent.token)
        return
      case 'updateToken': {
        const lastUsedAt = this.tokens.get(intent.token.id)?.lastUsedAt ?? null
        this.tokens.set(intent.token.id, { ...intent.token, lastUsedAt })
        return
      }
      case 'createOwner':
      case 'updateOwner':
        this.owners.set(ownerTag(intent.owner.ref.id), intent.owner)
        return
      case 'reserveAccountName':
        this.accountNames.set(intent.name, intent.accountId)
        return
      case 'releaseAccountName':
        this.accountNames.delete(intent.name)
        return
      case 'claimBootstrap':
        this.bootstrapped = true
        return
      case 'createTrustPolicy':
      case 'updateTrustPolicy':
        this.trustPolicies.set(intent.policy.id, intent.policy)
        return
      case 'deleteTrustPolicy':
        this.trustPolicies.delete(intent.id)
        return
      case 'deny':
        this.denied.push(intent.entry)
        return
      case 'audit':
        this.audit.push(intent.event)
    }
  }
}

/** Pages like a DynamoDB query: `limit` items read, then filtered; `next` is the offset. */
const pageOf = <T>(all: readonly T[], page: PageRequest, keep: (item: T) => boolean): Page<T> => {
  const start = typeof page.after === 'number' ? page.after : 0
  const end = start + page.limit
  return { items: all.slice(start, end).filter(keep), next: end < all.length ? end : undefined }
}

/** A token id for tests that need one and no owner: the tag of a made-up account. */
export const anyTokenId = (): string => newTokenId(ownerTag('sa_0000000000000000000000'))

/**
 * Handler dependencies over fakes: the verifier of callers' JWTs is built
 * from `keySet`, as the composition root does.
 */
export const fakeDependencies = (parts: {
  readonly config: Config
  readonly store: Store
  readonly signer: Signer
  readonly keySet: KeySet
  readonly secrets: Secrets
  readonly clock: Clock
  readonly people?: PersonVerifier | undefined
  readonly denyListReader?: DenyListReader | undefined
  readonly outsideTokens?: OutsideTokenVerifier | undefined
}): Dependencies => ({
  ...parts,
  verifier: jwtVerifierFor(parts.config, parts.keySet, parts.clock),
  people: parts.people,
  policies: parts.store,
  devIssuer: undefined,
  denyListReader: parts.denyListReader ?? { entriesSince: async () => [] },
  outsideTokens: parts.outsideTokens,
  federation: undefined,
})
