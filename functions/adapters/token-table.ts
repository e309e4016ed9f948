/**
 * The DynamoDB table's shape: one place for the key schema that the dev
 * server, the tests and the CDK stack all create.
 */
/**
 * What the indexes carry beyond keys (an INCLUDE projection): only what a
 * list query filters on. Lists read the items themselves from the table, so
 * `last_used_at`, written up to once a minute per token in use, is in no
 * index, and recording a use writes one item, never an index.
 */
const INDEX_PROJECTION = ['name'] as const

export const TOKEN_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Lists one owner's tokens, newest last, without scans. */
  ownerIndex: {
    name: 'gsi1',
    partitionKey: 'gsi1pk',
    sortKey: 'gsi1sk',
    projectedAttributes: INDEX_PROJECTION,
  },
  /** Lists every token, and every service account, across owners without scans. */
  listIndex: {
    name: 'gsi2',
    partitionKey: 'gsi2pk',
    sortKey: 'gsi2sk',
    projectedAttributes: INDEX_PROJECTION,
  },
  /** Epoch seconds after which DynamoDB may delete a record that is no longer usable. */
  timeToLiveAttribute: 'ttl',
} as const

/** Item keys of single items; every item kind is named here so no two can collide. */
export const itemKeys = {
  token: (id: string) => ({ pk: `TOKEN#${id}`, sk: 'TOKEN' }),
  /** An owner item, at its owner's tag (see `ownerTag`): service accounts and people alike. */
  owner: (tag: string) => ({ pk: `OWNER#${tag}`, sk: 'OWNER' }),
  /** Reserves a service-account name: names are unique among existing accounts. */
  accountName: (name: string) => ({ pk: `SA_NAME#${name}`, sk: 'SA_NAME' }),
  bootstrap: () => ({ pk: 'META', sk: 'BOOTSTRAP' }),
  /**
   * A trust policy. Policies are few and made by administrators, so they all
   * share one partition: one strongly consistent Query lists them, and the
   * exchange reads an issuer's from it, with no index to lag behind a change.
   */
  trustPolicy: (id: string) => ({ pk: 'TRUST_POLICIES', sk: `TP#${id}` }),
  /**
   * A JWT revoked by its `jti` (RFC 7009), until it expires: what Tollgate's
   * own routes read beside the caller's records, so the revocation holds there
   * at once (the authorizer learns it from the deny-list entry).
   */
  revokedJwt: (jti: string) => ({ pk: `REVOKED_JWT#${jti}`, sk: 'REVOKED_JWT' }),
  /** One hour's revocations (`2026-12-01T22`): the authorizer queries these, never an index. */
  denyListPartition: (hour: string) => ({ pk: `DENY#${hour}` }),
  /**
   * The public JWK set (`KEY_SOURCE=secrets-manager`): written by the key
   * rotation, read by JWKS, discovery and the authorizer, so that only
   * minting functions ever read the private secret.
   */
  publicKeySet: () => ({ pk: 'KEYSET#public', sk: 'KEYSET' }),
} as const

/** The table layout this code reads and writes; the bootstrap marker records it. */
export const TABLE_LAYOUT_VERSION = 2

/** A time as a sort key: milliseconds, zero-padded, so that keys sort as times do. */
export const timeKey = (ms: number): string => String(ms).padStart(15, '0')
