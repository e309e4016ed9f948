import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { calculateJwkThumbprint, createLocalJWKSet, jwtVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import { loadLocalKeys, readLocalKeys } from '../../functions/adapters/local-key-file.js'
import { readLocalPublicKeys } from '../../functions/adapters/local-public-keys.js'
import { signJwt } from '../../functions/core/jws.js'
import { useTempDirs } from '../support/temp-dirs.js'

const tempDir = useTempDirs()
const newDataDir = () => tempDir('keys')

describe('Function: loadLocalKeys', () => {
  it('creates the key file with mode 0600 in a 0700 directory', async () => {
    const dataDir = join(await newDataDir(), 'nested')

    await loadLocalKeys(dataDir, 'RS256')

    expect((await stat(join(dataDir, 'keys.json'))).mode & 0o777).toBe(0o600)
    expect((await stat(dataDir)).mode & 0o777).toBe(0o700)
  })

  it('keeps the same kid and pepper across loads', async () => {
    const dataDir = await newDataDir()

    const first = await loadLocalKeys(dataDir, 'RS256')
    const second = await loadLocalKeys(dataDir, 'RS256')

    expect(second.kid).toBe(first.kid)
    expect(await second.secrets.currentPepper()).toEqual(await first.secrets.currentPepper())
  })

  it('agrees on one key set when two processes start at once', async () => {
    const dataDir = await newDataDir()

    const loads = await Promise.all([1, 2, 3].map(() => loadLocalKeys(dataDir, 'ES256')))

    expect(new Set(loads.map((keys) => keys.kid)).size).toBe(1)
  })

  it.each(['RS256', 'ES256'] as const)(
    'signs %s JWTs that jose verifies with the published key',
    async (alg) => {
      const keys = await loadLocalKeys(await newDataDir(), alg)
      const jwks = { keys: [...(await keys.keySet.publicKeys())] }

      const jwt = await signJwt(keys.signer, {
        sub: 'sa_1',
        iss: 'https://issuer',
        exp: 4_000_000_000,
      })
      const { payload, protectedHeader } = await jwtVerify(jwt, createLocalJWKSet(jwks), {
        algorithms: [alg],
      })

      expect(payload.sub).toBe('sa_1')
      expect(protectedHeader).toEqual({ alg, kid: keys.kid, typ: 'at+jwt' })
    },
  )

  it('uses the RFC 7638 thumbprint as kid and publishes no private members', async () => {
    const keys = await loadLocalKeys(await newDataDir(), 'RS256')

    const [jwk] = await keys.keySet.publicKeys()

    expect(jwk).toBeDefined()
    expect(jwk?.kid).toBe(await calculateJwkThumbprint(jwk ?? {}))
    expect(jwk).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' })
    for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(jwk).not.toHaveProperty(member)
  })

  it('adds a key for a newly configured algorithm without changing the pepper', async () => {
    const dataDir = await newDataDir()
    const rsa = await loadLocalKeys(dataDir, 'RS256')

    const ec = await loadLocalKeys(dataDir, 'ES256')
    const rsaAgain = await loadLocalKeys(dataDir, 'RS256')

    expect(await ec.secrets.currentPepper()).toEqual(await rsa.secrets.currentPepper())
    expect(rsaAgain.kid).toBe(rsa.kid)
    expect((await stat(join(dataDir, 'keys.json'))).mode & 0o777).toBe(0o600)
    expect(
      JSON.parse(await readFile(join(dataDir, 'keys.json'), 'utf8')).signing_keys,
    ).toHaveProperty('ES256')
  })

  it('never quotes a corrupt file in its error (it holds the pepper)', async () => {
    const dataDir = await newDataDir()
    await writeFile(join(dataDir, 'keys.json'), '{"pepper":SECRET-PEPPER-VALUE')

    const failure = await loadLocalKeys(dataDir, 'RS256').catch((error: Error) => error)

    expect(String(failure)).toMatch(/not a Tollgate key file/)
    expect(String(failure)).not.toContain('SECRET-PEPPER-VALUE')
  })

  it('leaves no temporary files behind', async () => {
    const dataDir = await newDataDir()

    await Promise.all([1, 2, 3].map(() => loadLocalKeys(dataDir, 'RS256')))
    await loadLocalKeys(dataDir, 'ES256')

    expect(await readdir(dataDir)).toEqual(['keys.json'])
  })

  it('refuses a file that is not a key file', async () => {
    const dataDir = await newDataDir()
    await writeFile(join(dataDir, 'keys.json'), '{"hello":"world"}')

    await expect(loadLocalKeys(dataDir, 'RS256')).rejects.toThrow(/not a Tollgate key file/)
  })
})

describe('Function: readLocalKeys', () => {
  it('reads the keys loadLocalKeys made, without writing anything', async () => {
    const dataDir = await newDataDir()
    const made = await loadLocalKeys(dataDir, 'RS256')
    const before = await stat(join(dataDir, 'keys.json'))

    const read = await readLocalKeys(dataDir, 'RS256')

    expect(read.kid).toBe(made.kid)
    expect(await read.secrets.currentPepper()).toEqual(await made.secrets.currentPepper())
    expect((await stat(join(dataDir, 'keys.json'))).mtimeMs).toBe(before.mtimeMs)
  })

  it('fails, rather than minting keys, when there is no key file or no key for the algorithm', async () => {
    const dataDir = await newDataDir()

    await expect(readLocalKeys(dataDir, 'RS256')).rejects.toThrow(/has no RS256 key/)
    await loadLocalKeys(dataDir, 'RS256')
    await expect(readLocalKeys(dataDir, 'ES256')).rejects.toThrow(/has no ES256 key/)
  })
})

describe('Function: readLocalPublicKeys', () => {
  it.each(['RS256', 'ES256'] as const)(
    'reads the same public %s keys as loadLocalKeys, and the dev issuer’s',
    async (alg) => {
      const dataDir = await newDataDir()
      const made = await loadLocalKeys(dataDir, alg)

      const read = readLocalPublicKeys(dataDir, alg)

      expect(await read.keySet.publicKeys()).toEqual(await made.keySet.publicKeys())
      expect(await read.devIssuer?.publicKeys()).toEqual(await made.devIssuer?.keySet.publicKeys())
      const [jwk] = await read.keySet.publicKeys()
      expect(Object.keys(jwk ?? {}).sort()).toEqual(
        alg === 'RS256'
          ? ['alg', 'e', 'kid', 'kty', 'n', 'use']
          : ['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y'],
      )
    },
  )

  it('fails when there is no key file or no key for the algorithm, as readLocalKeys does', async () => {
    const dataDir = await newDataDir()

    expect(() => readLocalPublicKeys(dataDir, 'RS256')).toThrow(/has no RS256 key/)
    await loadLocalKeys(dataDir, 'RS256')
    expect(() => readLocalPublicKeys(dataDir, 'ES256')).toThrow(/has no ES256 key/)
  })

  it('refuses a file that is not a key file, without quoting it', async () => {
    const dataDir = await newDataDir()
    const write = (text: string) => writeFile(join(dataDir, 'keys.json'), text)

    await write('{"pepper":SECRET-PEPPER-VALUE')
    expect(() => readLocalPublicKeys(dataDir, 'RS256')).toThrow(/not a Tollgate key file$/)
    await write('{"signing_keys":{"RS256":{"kty":"EC","d":"SECRET"}}}')
    expect(() => readLocalPublicKeys(dataDir, 'RS256')).toThrow(/not a Tollgate key file$/)
  })
})
