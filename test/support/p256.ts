import { randomBytes } from 'node:crypto'

/**
 * ECDSA P-256 over a precomputed SHA-256 digest, for the fake KMS only.
 * node:crypto always hashes what it signs, but KMS with MessageType DIGEST
 * signs the digest as given, so the fake needs the curve arithmetic itself.
 * Correctness is checked where it matters: every signature it makes is
 * verified by node:crypto (through jose and aws-jwt-verify) in the tests.
 * Not constant-time, and never to be used outside tests.
 */

const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n
const G = {
  x: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
  y: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
}

/** Jacobian coordinates; Z = 0 is the point at infinity. */
interface Jacobian {
  readonly x: bigint
  readonly y: bigint
  readonly z: bigint
}

const mod = (a: bigint, m: bigint): bigint => {
  const r = a % m
  return r < 0n ? r + m : r
}

/** Extended Euclid: faster than Fermat's power for one-off inverses. */
const inverse = (a: bigint, m: bigint): bigint => {
  let [r0, r1] = [mod(a, m), m]
  let [s0, s1] = [1n, 0n]
  while (r1 !== 0n) {
    const q = r0 / r1
    ;[r0, r1] = [r1, r0 - q * r1]
    ;[s0, s1] = [s1, s0 - q * s1]
  }
  return mod(s0, m)
}

/** Point doubling for a = -3 ("dbl-2001-b"). */
const double = (p: Jacobian): Jacobian => {
  if (p.z === 0n || p.y === 0n) return { x: 0n, y: 1n, z: 0n }
  const delta = mod(p.z * p.z, P)
  const gamma = mod(p.y * p.y, P)
  const beta = mod(p.x * gamma, P)
  const alpha = mod(3n * (p.x - delta) * (p.x + delta), P)
  const x = mod(alpha * alpha - 8n * beta, P)
  const z = mod((p.y + p.z) ** 2n - gamma - delta, P)
  const y = mod(alpha * (4n * beta - x) - 8n * gamma * gamma, P)
  return { x, y, z }
}

/** Adds the affine point `q` to `p`. */
const addAffine = (p: Jacobian, q: { x: bigint; y: bigint }): Jacobian => {
  if (p.z === 0n) return { x: q.x, y: q.y, z: 1n }
  const zz = mod(p.z * p.z, P)
  const u2 = mod(q.x * zz, P)
  const s2 = mod(q.y * p.z * zz, P)
  const h = mod(u2 - p.x, P)
  const r = mod(s2 - p.y, P)
  if (h === 0n) return r === 0n ? double(p) : { x: 0n, y: 1n, z: 0n }
  const hh = mod(h * h, P)
  const hhh = mod(h * hh, P)
  const v = mod(p.x * hh, P)
  const x = mod(r * r - hhh - 2n * v, P)
  const y = mod(r * (v - x) - p.y * hhh, P)
  return { x, y, z: mod(p.z * h, P) }
}

const multiplyG = (k: bigint): Jacobian => {
  let acc: Jacobian = { x: 0n, y: 1n, z: 0n }
  for (let bit = 255n; bit >= 0n; bit--) {
    acc = double(acc)
    if ((k >> bit) & 1n) acc = addAffine(acc, G)
  }
  return acc
}

const affineX = (p: Jacobian): bigint => {
  const zInverse = inverse(p.z, P)
  return mod(p.x * zInverse * zInverse, P)
}

const toBigInt = (bytes: Uint8Array): bigint =>
  bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString('hex')}`)

const randomScalar = (): bigint => {
  for (;;) {
    const k = toBigInt(randomBytes(32))
    if (k > 0n && k < N) return k
  }
}

/**
 * Signs a 32-byte digest with the private scalar `d` (the JWK's `d`) and
 * returns the DER signature. With `accept`, tries nonces k, k+1, k+2, … (one
 * point addition each, not a whole multiplication) until the DER passes it,
 * so a test gets an r or s shorter than 32 bytes within a fraction of a
 * second. Consecutive nonces would leak the key in real life; here the keys
 * are throwaway test keys.
 */
export const signP256Digest = (
  digest: Uint8Array,
  d: Uint8Array,
  accept: (der: Buffer) => boolean = () => true,
): Buffer => {
  const z = toBigInt(digest)
  const secret = toBigInt(d)
  let k = randomScalar()
  let point = multiplyG(k)
  for (;;) {
    const r = mod(affineX(point), N)
    const s = r === 0n ? 0n : mod(inverse(k, N) * (z + r * secret), N)
    if (s !== 0n) {
      const der = derEncodeSignature(toBytes(r), toBytes(s))
      if (accept(der)) return der
    }
    k = k + 1n === N ? 1n : k + 1n
    point = k === 1n ? multiplyG(k) : addAffine(point, G)
  }
}

const toBytes = (value: bigint): Uint8Array =>
  Uint8Array.from(Buffer.from(value.toString(16).padStart(64, '0'), 'hex'))

/** Minimal DER of r and s, written independently of the code under test. */
export const derEncodeSignature = (r: Uint8Array, s: Uint8Array): Buffer => {
  const integer = (half: Uint8Array): Buffer => {
    let start = 0
    while (start < half.length - 1 && half[start] === 0) start++
    const magnitude = Buffer.from(half.subarray(start))
    const body = (magnitude[0] ?? 0) >= 0x80 ? Buffer.concat([Buffer.of(0), magnitude]) : magnitude
    return Buffer.concat([Buffer.of(0x02, body.length), body])
  }
  const body = Buffer.concat([integer(r), integer(s)])
  return Buffer.concat([Buffer.of(0x30, body.length), body])
}
