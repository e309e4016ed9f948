import { encodeBase62 } from './base62.js'
import { createHash, randomBytes } from './node-crypto.js'

/** Who holds access tokens: a service account, or a person from an identity provider. */
export type OwnerType = 'service_account' | 'user'

export interface OwnerRef {
  readonly type: OwnerType
  /** `sa_…` for a service account; `user:<issuer id>:<sub>` for a person. */
  readonly id: string
}

/** Width of the owner tag at the front of every token id: 64 bits of SHA-256. */
export const OWNER_TAG_LENGTH = 11
const SERVICE_ACCOUNT_ID = /^sa_[0-9A-Za-z]{22}$/
/** Issuer ids are short names; the subject is whatever the IdP says, within reason. */
const USER_ID = /^user:([a-z][a-z0-9-]{0,31}):([\x21-\x7E]{1,255})$/

/**
 * A short, stable tag of an owner, which every token id of that owner starts
 * with. It lets an exchange read a token and its owner item in one
 * `BatchGetItem` knowing only the token id. Two owners could share a tag
 * (64 bits: a birthday search of 2^32 names finds a pair); the owner item
 * stores the full owner id and every read checks it, so a shared tag is a
 * refusal, never one owner acting as another.
 *
 * @example
 * ownerTag('sa_4CDLu9FIIpFqLMrVEdgmAC') // '2cFG55O99Tb'
 */
export const ownerTag = (ownerId: string): string =>
  encodeBase62(
    createHash('sha256').update(ownerId, 'utf8').digest().subarray(0, 8),
    OWNER_TAG_LENGTH,
  )

/** The owner tag a token id starts with. */
export const ownerTagOfTokenId = (tokenId: string): string => tokenId.slice(0, OWNER_TAG_LENGTH)

/** Makes a new service account id: `sa_` + 128 random bits. */
export const newServiceAccountId = (): string => `sa_${encodeBase62(randomBytes(16), 22)}`

/**
 * Reads an owner id as given in a filter or a body, or undefined when it is
 * neither a service account id nor a person.
 *
 * @example
 * parseOwnerId('user:dev:alice') // { type: 'user', id: 'user:dev:alice' }
 */
export const parseOwnerId = (text: string): OwnerRef | undefined => {
  if (SERVICE_ACCOUNT_ID.test(text)) return { type: 'service_account', id: text }
  if (USER_ID.test(text)) return { type: 'user', id: text }
  return undefined
}

/** A person's owner id: namespaced by the issuer, never the bare `sub`. */
export const personId = (issuerId: string, subject: string): string => `user:${issuerId}:${subject}`

export const isSameOwner = (a: OwnerRef, b: OwnerRef): boolean => a.type === b.type && a.id === b.id
