import type { JWK } from 'jose'
import type { OwnerRef } from './owners.js'
import type {
  AccessTokenRecord,
  AuditEvent,
  AuditSubject,
  DenyEntry,
  OwnerRecord,
} from './records.js'
import type { TrustPolicy } from './trust-policy.js'

/** Wall clock in epoch milliseconds; injected so tests can freeze time. */
export interface Clock {
  now(): number
}

/** One page of a list, and where the next one starts (opaque to core; sealed before it leaves). */
export interface Page<T> {
  readonly items: readonly T[]
  readonly next: unknown
}

export interface PageRequest {
  readonly limit: number
  /** What a previous page's `next` was; undefined for the first page. */
  readonly after: unknown
}

/** A token with its owner item, as one strongly consistent read returns them. */
export interface TokenWithOwner {
  readonly token: AccessTokenRecord | undefined
  readonly owner: OwnerRecord | undefined
}

/** Reads of tokens (the exchange, the callers' own records, the API). */
export interface TokenReader {
  /**
   * The token and the owner item its id points to, in one strongly
   * consistent round trip. The owner is whoever the tag in the id names:
   * callers check it is the token's owner.
   */
  getTokenWithOwner(tokenId: string): Promise<TokenWithOwner>
  /** Several tokens by id, strongly consistent; absent ones are left out. */
  getTokens(tokenIds: readonly string[]): Promise<readonly AccessTokenRecord[]>
  /** Newest first; filters applied by the store where it can, the rest by the caller. */
  listTokens(
    filter: { readonly owner: OwnerRef | undefined; readonly name: string | undefined },
    page: PageRequest,
  ): Promise<Page<AccessTokenRecord>>
}

/** Reads of owner items: service accounts and people. */
/** A trust policy and its service account's owner item: what a federated JWT's validity depends on. */
export interface PolicyGrant {
  readonly policy: { readonly generation: number; readonly serviceAccountId: string } | undefined
  readonly owner: OwnerRecord | undefined
}

export interface TrustPolicyGrantReader {
  /** Read strongly consistently. */
  getPolicyGrant(tpid: string): Promise<PolicyGrant>
}

export interface OwnerReader {
  /** One strongly consistent read; undefined when the owner has no item. */
  getOwner(owner: OwnerRef): Promise<OwnerRecord | undefined>
  /** Several at once (at most 100), strongly consistent; absent ones are left out. */
  getOwners(owners: readonly OwnerRef[]): Promise<readonly OwnerRecord[]>
  /** Active service accounts, newest first. */
  listServiceAccounts(page: PageRequest): Promise<Page<OwnerRecord>>
  /** Whether the first admin has been minted in this table. */
  isBootstrapped(): Promise<boolean>
}

/** Reads of trust policies: few, made by administrators, always strongly consistent. */
export interface TrustPolicyReader {
  /** One policy; undefined when there is none with this id. */
  getTrustPolicy(id: string): Promise<TrustPolicy | undefined>
  /** Every policy, by id. */
  listTrustPolicies(page: PageRequest): Promise<Page<TrustPolicy>>
  /** Every policy naming this issuer: what an exchange and a simulation match against. */
  trustPoliciesOf(issuer: string): Promise<readonly TrustPolicy[]>
}

/**
 * A JWT from an outside issuer (a CI system, a Kubernetes cluster) once its
 * signature and times are checked: its issuer and every claim. Its claims
 * are no secret; the JWT itself is, and never leaves the verifier.
 */
export interface OutsideToken {
  readonly issuer: string
  readonly claims: Readonly<Record<string, unknown>>
}

/**
 * Verifies an outside JWT against its issuer's keys (one of
 * FEDERATION_ISSUERS): signature, `alg`, `kid`, `exp`, `nbf`, `iat`. Throws
 * a `TollgateError` saying what failed (never the JWT); `unavailable` when
 * the issuer's keys cannot be read.
 */
export interface OutsideTokenVerifier {
  verify(jwt: string): Promise<OutsideToken>
}

export interface AuditReader {
  /** Newest first. */
  listEvents(subject: AuditSubject, page: PageRequest): Promise<Page<AuditEvent>>
}

export interface TokenUseRecorder {
  /**
   * Sets `last_used_at` to `at` only if it is unset or older than `unlessUsedSince`,
   * so a busy token costs at most one write a minute. Losing the race is not an error.
   */
  recordTokenUse(id: string, at: number, unlessUsedSince: number): Promise<void>
}

/**
 * One intended write of a transaction. Each carries its own condition:
 * `create*` must not exist yet, `update*` must still be at `expectedVersion`.
 */
export type WriteIntent =
  | { readonly kind: 'createToken'; readonly token: AccessTokenRecord }
  | {
      readonly kind: 'updateToken'
      readonly token: AccessTokenRecord
      readonly expectedVersion: number
    }
  | { readonly kind: 'createOwner'; readonly owner: OwnerRecord }
  | { readonly kind: 'updateOwner'; readonly owner: OwnerRecord; readonly expectedVersion: number }
  /** Service-account names are unique: a reservation item per name. */
  | { readonly kind: 'reserveAccountName'; readonly name: string; readonly accountId: string }
  | { readonly kind: 'releaseAccountName'; readonly name: string; readonly accountId: string }
  | { readonly kind: 'deny'; readonly entry: DenyEntry }
  | { readonly kind: 'audit'; readonly event: AuditEvent }
  | { readonly kind: 'createTrustPolicy'; readonly policy: TrustPolicy }
  | {
      readonly kind: 'updateTrustPolicy'
      readonly policy: TrustPolicy
      readonly expectedVersion: number
    }
  | { readonly kind: 'deleteTrustPolicy'; readonly id: string; readonly expectedVersion: number }
  /** Succeeds once per table: what makes start-up bootstrap idempotent. */
  | { readonly kind: 'claimBootstrap'; readonly accountId: string; readonly at: number }

/**
 * Writes a whole change or nothing (one `TransactWriteItems` on DynamoDB).
 * A failed condition throws `WriteConflict` naming the intent; an outage
 * throws `unavailable`.
 */
export interface UnitOfWork {
  commit(intents: readonly WriteIntent[]): Promise<void>
}

/** Everything a store offers; adapters implement all of it, use cases ask for parts. */
export interface Store
  extends TokenReader,
    OwnerReader,
    TrustPolicyReader,
    TrustPolicyGrantReader,
    AuditReader,
    TokenUseRecorder,
    UnitOfWork {}

export type JwtAlg = 'RS256' | 'ES256'

/** A JWS signature together with the key that made it. */
export interface Signature {
  readonly kid: string
  /** The bytes signed: what `signingInputFor(kid)` returned. */
  readonly signingInput: Uint8Array
  /** JOSE form: RSASSA-PKCS1-v1_5 bytes, or ECDSA `r‖s` (64 bytes for ES256). */
  readonly signature: Uint8Array
}

/**
 * Signs with the current signing key. The signer picks the key first and
 * asks for the signing input with that key's `kid` (the JWS header names
 * it), so the `kid` and the signature always come from one key, also in the
 * middle of a rotation.
 */
export interface Signer {
  readonly alg: JwtAlg
  sign(signingInputFor: (kid: string) => Uint8Array): Promise<Signature>
}

/** A public key that may have signed a still-valid JWT, as published in the JWKS. */
export type PublicJwk = JWK & { readonly kid: string; readonly alg: string; readonly use: 'sig' }

/** Public keys for JWKS and for verification (current, previous, next). */
export interface KeySet {
  /** The keys, from a cache where the key set keeps one. */
  publicKeys(): Promise<readonly PublicJwk[]>
  /**
   * Reads the keys again now, bypassing any cache: what a verifier calls on
   * an unknown `kid` (throttled), for a key set whose keys can change unannounced.
   */
  refresh?(): Promise<readonly PublicJwk[]>
}

/** One version of the pepper keying access-token hashes. */
export interface Pepper {
  readonly version: string
  readonly key: Uint8Array
}

/**
 * The pepper, versioned: new secrets are hashed with the current version and
 * each record keeps the version that hashed it, so the pepper can rotate
 * without invalidating a single token.
 */
export interface Secrets {
  currentPepper(): Promise<Pepper>
  /** The pepper of a version a record names; undefined when it is no longer held. */
  pepperOf(version: string): Promise<Uint8Array | undefined>
}

/** One version of a secret: by id, by staging label, or both; AWSCURRENT when neither. */
export interface SecretVersion {
  readonly versionId?: string
  readonly stage?: string
}

/** What the rotation needs to know of a secret. */
export interface SecretDescription {
  readonly rotationEnabled: boolean
  /** Each version id's staging labels. */
  readonly stages: Readonly<Record<string, string[]>>
}

/**
 * Secrets as versions with staging labels (Secrets Manager's model): the
 * pepper and signing-key secrets, as keys init seeds them and the rotation
 * advances them. Values only pass through: nothing here logs one.
 */
export interface SecretStore {
  /** One version's value; undefined when there is no such version or it holds no value yet. */
  read(secretId: string, version?: SecretVersion): Promise<string | undefined>
  /** Undefined when the secret does not exist. */
  describe(secretId: string): Promise<SecretDescription | undefined>
  /**
   * Creates the secret with its first value (AWSCURRENT), encrypted with
   * `kmsKeyId` when given; resolves false when it already exists.
   */
  create(secretId: string, value: string, kmsKeyId?: string): Promise<boolean>
  /**
   * Puts a value as the version `versionId` with `stages`; a repeat with the
   * same id and value changes nothing. Without stages the value becomes AWSCURRENT.
   */
  put(
    secretId: string,
    value: string,
    version?: { readonly versionId?: string; readonly stages?: readonly string[] },
  ): Promise<void>
  /** Moves a staging label to `moveTo`, or without it removes the label from `removeFrom`. */
  moveStage(
    secretId: string,
    stage: string,
    versions: { readonly moveTo?: string; readonly removeFrom?: string },
  ): Promise<void>
}

/**
 * The published public key set (KEYSET#public), as keys init and the
 * rotation write it. Verifiers read it through a KeySet, never this.
 */
export interface PublishedKeySet {
  /** Strongly consistent; malformed entries skipped. Undefined when nothing was ever published. */
  read(): Promise<readonly PublicJwk[] | undefined>
  /**
   * Publishes exactly `keys`, unless a newer set (by `updatedAt`) is there:
   * an older writer never replaces a newer set. Resolves whether it wrote.
   */
  write(keys: readonly PublicJwk[], updatedAt: number): Promise<boolean>
}
