import {
  createHmac,
  generateKeyPairSync,
  type KeyObject,
  randomUUID,
  sign as signBytes,
} from 'node:crypto'
import { SignJWT } from 'jose'
import type { KeySet, PublicJwk } from '../../functions/core/ports.js'

/** Real keys and hand-built JWTs for verifier and authorizer tests (RFC 8725, OWASP JWT cheat sheet). */

export type Alg = 'RS256' | 'ES256'

export interface TestKey {
  readonly alg: Alg
  readonly kid: string
  readonly privateKey: KeyObject
  readonly publicKey: KeyObject
  readonly jwk: PublicJwk
}

export const ISSUER = 'https://tollgate.example'
export const AUDIENCE = 'tollgate'
export const NOW = Date.UTC(2026, 0, 1)
export const NOW_SECONDS = NOW / 1000

export const makeTestKey = (alg: Alg, kid = `key-${alg}`): TestKey => {
  const { privateKey, publicKey } =
    alg === 'RS256'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' } as PublicJwk
  return { alg, kid, privateKey, publicKey, jwk }
}

/** A key set that counts how often it is read, and whose keys a test can swap. */
export const countingKeySet = (initial: readonly PublicJwk[]) => {
  let keys = initial
  let calls = 0
  const keySet: KeySet = {
    publicKeys: async () => {
      calls++
      return keys
    },
  }
  return {
    keySet,
    calls: () => calls,
    replace: (next: readonly PublicJwk[]) => {
      keys = next
    },
  }
}

/** Claims of a JWT the exchange would mint at NOW, with overrides. */
export const tollgateClaims = (
  overrides: Record<string, unknown> = {},
): Record<string, unknown> => ({
  iss: ISSUER,
  sub: 'sa_reader',
  aud: AUDIENCE,
  scope: 'datasets:read',
  roles: ['reader', 'auditor'],
  token_type: 'service',
  is_bot: true,
  client_id: 'atid_1',
  atid: 'atid_1',
  atv: 1,
  otv: 1,
  jti: randomUUID(),
  iat: NOW_SECONDS,
  nbf: NOW_SECONDS,
  exp: NOW_SECONDS + 300,
  ...overrides,
})

/** Signs with jose, the way any standard library would. */
export const signWithJose = (key: TestKey, claims: Record<string, unknown> = tollgateClaims()) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
    .sign(key.privateKey)

export const encodeSegment = (value: unknown): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8').toString(
    'base64url',
  )

/** Hand-built compact JWS with any header, signed for real with `key` (so only the rules can refuse it). */
export const signRaw = (
  key: Pick<TestKey, 'alg' | 'privateKey'>,
  header: Record<string, unknown>,
  claims: Record<string, unknown> | string,
): string => {
  const signingInput = `${encodeSegment(header)}.${encodeSegment(claims)}`
  const signature = signBytes(
    'sha256',
    Buffer.from(signingInput),
    key.alg === 'ES256' ? { key: key.privateKey, dsaEncoding: 'ieee-p1363' } : key.privateKey,
  )
  return `${signingInput}.${signature.toString('base64url')}`
}

const hmac = (secret: string | Buffer, input: string): string =>
  createHmac('sha256', secret).update(input).digest('base64url')

/**
 * Every refusal case of RFC 8725 §2/§3 and the OWASP JWT cheat sheet that a
 * verifier configured with `key` (its only key) must turn down; the header
 * and signature attacks carry `claims`, which a valid token would have.
 */
export const attackTokens = (
  key: TestKey,
  claims: Record<string, unknown> = tollgateClaims(),
): ReadonlyArray<{ name: string; token: string; because: RegExp }> => {
  const header = { alg: key.alg, kid: key.kid, typ: 'at+jwt' }
  const valid = signRaw(key, header, claims)
  const [h, p, s] = valid.split('.') as [string, string, string]
  const attacker = makeTestKey(key.alg, key.kid)
  const attackerJwk = { ...attacker.jwk, kid: 'attacker' }
  const attacks: Array<{ name: string; token: string; because: RegExp }> = []
  // `because` pins the rule that must refuse it, so one check cannot hide a missing other.
  let because = /./
  const add = (name: string, token: string) => attacks.push({ name, token, because })

  because = /algorithm|segments/
  for (const alg of ['none', 'None', 'NONE', 'nOnE']) {
    const input = `${encodeSegment({ ...header, alg })}.${p}`
    add(`alg ${alg} with an empty signature`, `${input}.`)
    add(`alg ${alg} with a garbage signature`, `${input}.${encodeSegment('garbage')}`)
    add(`alg ${alg} with the original signature`, `${input}.${s}`)
  }
  for (const alg of ['HS256', 'HS384', 'HS512']) {
    const input = `${encodeSegment({ ...header, alg })}.${p}`
    const pem = key.publicKey.export({ format: 'pem', type: 'spki' }) as string
    add(`${alg} keyed with the public key PEM`, `${input}.${hmac(pem, input)}`)
    add(`${alg} keyed with the public JWK JSON`, `${input}.${hmac(JSON.stringify(key.jwk), input)}`)
    const der = key.publicKey.export({ format: 'der', type: 'spki' })
    add(`${alg} keyed with the public key DER`, `${input}.${hmac(der, input)}`)
  }
  const otherAlg = key.alg === 'RS256' ? 'ES256' : 'RS256'
  const otherKey = makeTestKey(otherAlg, key.kid)
  add(
    `${otherAlg} when ${key.alg} is configured`,
    signRaw(otherKey, { ...header, alg: otherAlg }, claims),
  )
  add('PS256 naming our key', signRaw(key, { ...header, alg: 'PS256' }, claims))

  because = /key|header is too long/
  for (const kid of [
    '../../etc/passwd',
    '../../../../../../dev/null',
    "' OR 1=1 --",
    '"; DROP TABLE keys; --',
    'k'.repeat(129),
    'k'.repeat(900),
    'no-such-key',
    '__proto__',
    'constructor',
    'toString',
    '',
  ]) {
    add(
      `kid ${JSON.stringify(kid.slice(0, 24))} (${kid.length} chars)`,
      signRaw(key, { ...header, kid }, claims),
    )
  }
  add('kid missing', signRaw(key, { alg: key.alg, typ: 'at+jwt' }, claims))
  add('kid a number', signRaw(key, { ...header, kid: 1 }, claims))
  add('kid an object', signRaw(key, { ...header, kid: { $ne: null } }, claims))

  because = /member/
  add(
    'embedded jwk of the attacker key that signed it',
    signRaw(attacker, { ...header, kid: 'attacker', jwk: attackerJwk }, claims),
  )
  add(
    'embedded jwk, our kid, attacker signature',
    signRaw(attacker, { ...header, jwk: attackerJwk }, claims),
  )
  for (const member of ['jku', 'x5u']) {
    add(
      `${member} to an attacker JWKS, attacker signature`,
      signRaw(attacker, { ...header, [member]: 'https://attacker.example/jwks.json' }, claims),
    )
    add(
      `${member} header on an otherwise valid JWT`,
      signRaw(key, { ...header, [member]: 'https://attacker.example/jwks.json' }, claims),
    )
  }
  const attackerCert = Buffer.from('not really a certificate').toString('base64')
  add('x5c with the attacker chain', signRaw(attacker, { ...header, x5c: [attackerCert] }, claims))
  add('x5c on an otherwise valid JWT', signRaw(key, { ...header, x5c: [attackerCert] }, claims))
  add('x5t on an otherwise valid JWT', signRaw(key, { ...header, x5t: 'abc' }, claims))
  add('jwk of our own key in the header', signRaw(key, { ...header, jwk: key.jwk }, claims))
  add('unknown crit extension', signRaw(key, { ...header, crit: ['exp'], exp: 1 }, claims))
  add(
    'crit naming a private extension',
    signRaw(key, { ...header, crit: ['x-ext'], 'x-ext': 1 }, claims),
  )
  add(
    'b64 false (unencoded payload)',
    signRaw(key, { ...header, b64: false, crit: ['b64'] }, claims),
  )
  add('b64 false without crit', signRaw(key, { ...header, b64: false }, claims))
  add('zip header', signRaw(key, { ...header, zip: 'DEF' }, claims))
  add(
    '__proto__ in the header',
    signRaw(
      key,
      JSON.parse(
        `{"alg":"${key.alg}","kid":"${key.kid}","typ":"at+jwt","__proto__":{"alg":"none"}}`,
      ),
      claims,
    ),
  )

  because = /signature/
  add('another key with the same kid', signRaw(attacker, header, claims))
  add(
    'tampered payload, original signature',
    `${h}.${encodeSegment({ ...claims, scope: 'admin' })}.${s}`,
  )
  add(
    'tampered header, original signature',
    `${encodeSegment({ ...header, typ: 'AT+JWT' })}.${p}.${s}`,
  )
  add(
    'signature of another token',
    `${h}.${p}.${signRaw(key, header, tollgateClaims()).split('.')[2]}`,
  )

  because = /expired|valid yet|future|lifetime|exp, nbf or iat/
  add(
    'expired beyond the skew',
    signRaw(
      key,
      header,
      tollgateClaims({ exp: NOW_SECONDS - 60, iat: NOW_SECONDS - 360, nbf: NOW_SECONDS - 360 }),
    ),
  )
  add('nbf beyond the skew', signRaw(key, header, tollgateClaims({ nbf: NOW_SECONDS + 61 })))
  add('iat beyond the skew', signRaw(key, header, tollgateClaims({ iat: NOW_SECONDS + 61 })))
  add(
    'lifetime beyond the maximum',
    signRaw(key, header, tollgateClaims({ exp: NOW_SECONDS + 43_201 })),
  )
  add(
    'exp before iat',
    signRaw(key, header, tollgateClaims({ exp: NOW_SECONDS + 10, iat: NOW_SECONDS + 20 })),
  )
  add('exp missing', signRaw(key, header, tollgateClaims({ exp: undefined })))
  add('exp a string', signRaw(key, header, tollgateClaims({ exp: String(NOW_SECONDS + 300) })))
  add('nbf missing', signRaw(key, header, tollgateClaims({ nbf: undefined })))
  add('iat missing', signRaw(key, header, tollgateClaims({ iat: undefined })))
  because = /issuer|audience|type|claims/
  add('wrong iss', signRaw(key, header, tollgateClaims({ iss: 'https://evil.example' })))
  add('iss with a trailing slash', signRaw(key, header, tollgateClaims({ iss: `${ISSUER}/` })))
  add('iss missing', signRaw(key, header, tollgateClaims({ iss: undefined })))
  add('wrong aud', signRaw(key, header, tollgateClaims({ aud: 'someone-else' })))
  add('aud list without ours', signRaw(key, header, tollgateClaims({ aud: ['a', 'b'] })))
  add('aud missing', signRaw(key, header, tollgateClaims({ aud: undefined })))
  // RFC 8725 §3.11: an ID token or plain JWT signed by the same key is not an access token.
  add('typ JWT', signRaw(key, { ...header, typ: 'JWT' }, claims))
  add('typ dpop+jwt', signRaw(key, { ...header, typ: 'dpop+jwt' }, claims))
  add('typ missing', signRaw(key, { alg: key.alg, kid: key.kid }, claims))
  add('typ JWS', signRaw(key, { ...header, typ: 'JWS' }, claims))
  add('scope not a string', signRaw(key, header, tollgateClaims({ scope: ['datasets:read'] })))
  add('roles not a list of strings', signRaw(key, header, tollgateClaims({ roles: 'admin' })))
  add('token_type unknown', signRaw(key, header, tollgateClaims({ token_type: 'admin' })))
  add('sub missing', signRaw(key, header, tollgateClaims({ sub: undefined })))
  add('atid missing', signRaw(key, header, tollgateClaims({ atid: undefined })))
  add('atv missing', signRaw(key, header, tollgateClaims({ atv: undefined })))
  add('client_id missing', signRaw(key, header, tollgateClaims({ client_id: undefined })))
  add(
    'federated without tpid',
    signRaw(
      key,
      header,
      tollgateClaims({ token_type: 'federated', ptv: 1, act: { iss: 'https://ci', sub: 'x' } }),
    ),
  )
  add(
    'federated without act',
    signRaw(key, header, tollgateClaims({ token_type: 'federated', tpid: 'tp_1', ptv: 1 })),
  )
  add('otv a string', signRaw(key, header, tollgateClaims({ otv: '1' })))
  add('atv zero', signRaw(key, header, tollgateClaims({ atv: 0 })))
  add('otv fractional', signRaw(key, header, tollgateClaims({ otv: 1.5 })))
  add('jti missing', signRaw(key, header, tollgateClaims({ jti: undefined })))
  because = /JSON|forbidden/
  add('payload a JSON array', signRaw(key, header, '[1,2,3]'))
  add('payload not JSON', signRaw(key, header, 'not json'))
  add(
    'payload with __proto__',
    signRaw(key, header, `{"__proto__":{"admin":true},${JSON.stringify(claims).slice(1)}`),
  )
  add('header a JSON array', `${encodeSegment([header])}.${p}.${s}`)
  add('header not JSON', `${encodeSegment('{"alg":')}.${p}.${s}`)

  because = /segments|canonical|too long/
  add('truncated by one character', valid.slice(0, -1))
  add('truncated to two segments', `${h}.${p}`)
  add('truncated to the header', h)
  add('cut in the middle', valid.slice(0, Math.floor(valid.length / 2)))
  add(
    'oversized (valid signature, 9 KiB payload)',
    signRaw(key, header, tollgateClaims({ pad: 'x'.repeat(9 * 1024) })),
  )
  add(
    'oversized header (valid signature)',
    signRaw(key, { ...header, kid: 'k'.repeat(1100) }, claims),
  )
  add('standard base64 characters', `${h}.${p}.${s.replace(/-/g, '+').replace(/_/g, '/')}+/`)
  add('a space inside', `${h}.${p} .${s}`)
  add('percent-encoded dot', `${h}%2E${p}.${s}`)
  add('padding =', `${valid}=`)
  add('padding == on the payload', `${h}.${p}==.${s}`)
  add('non-canonical last character', `${h}.${p}.${s.slice(0, -1)}${flipPadBit(s)}`)
  add('extra segment', `${valid}.${s}`)
  add('JWE-like five segments', `${h}.${p}.${s}.${s}.${s}`)
  add('empty header segment', `.${p}.${s}`)
  add('empty payload segment', `${h}..${s}`)
  add('only dots', '..')
  add('empty string', '')
  add('non-ASCII', `${h}.${p}.${s}é`)
  because = /signature/
  if (key.alg === 'ES256') {
    add('ECDSA r = s = 0 (CVE-2022-21449)', `${h}.${p}.${Buffer.alloc(64).toString('base64url')}`)
    const rs = Buffer.alloc(64)
    rs[31] = 1
    add('ECDSA r = 1, s = 0', `${h}.${p}.${rs.toString('base64url')}`)
    const derLike = signBytes('sha256', Buffer.from(`${h}.${p}`), key.privateKey)
    add('ECDSA signature in DER form', `${h}.${p}.${derLike.toString('base64url')}`)
  }
  return attacks
}

/** The same bytes spelled differently: set a bit that base64url leaves over after the last byte. */
const flipPadBit = (segment: string): string => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
  const last = alphabet.indexOf(segment.at(-1) ?? 'A')
  return alphabet[last ^ 1] ?? 'B'
}
