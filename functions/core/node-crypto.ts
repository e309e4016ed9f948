import { createRequire } from 'node:module'

/**
 * node:crypto as CommonJS has it, for every module of core: importing it as
 * an ES module builds a facade over all its exports, which cost the
 * authorizer's cold start about 1.5 ms here (measured in fresh processes,
 * paired; docs/benchmarks.md). `process.getBuiltinModule` where Node has it
 * (22.3 and later), else `require`.
 */
const nodeCrypto = (process.getBuiltinModule?.('node:crypto') ??
  createRequire(import.meta.url)('node:crypto')) as typeof import('node:crypto')

export const {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  randomUUID,
  sign,
  timingSafeEqual,
  verify,
} = nodeCrypto
