import { createHmac, randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SignJWT } from 'jose'
import type { OutsideTokenCheck } from '../../functions/core/outside-token.js'
import type { Clock, PublicJwk } from '../../functions/core/ports.js'
import { type Alg, encodeSegment, makeTestKey, signRaw, type TestKey } from './jwt-attacks.js'

/**
 * An OIDC issuer for tests, standing in for GitHub Actions, GitLab CI or a
 * Kubernetes cluster: a loopback http server (allowed in local mode only)
 * serving its discovery document and JWKS, with its own RSA and EC keys,
 * rotation, fetch counts and ways to misbehave; it mints tokens with the
 * real claim shapes of those issuers and every hostile variant.
 */

export interface OidcIssuerOptions {
  /** After the origin, as EKS (`/id/…`) and Entra issuers have; none by default. */
  readonly path?: string
  /** Where minted tokens' `iat`/`nbf`/`exp` start; the real time by default. */
  readonly clock?: Clock
}

export interface MintOptions {
  /** The current key of this algorithm signs (RS256 by default). */
  readonly alg?: Alg
  /** Signs with this key instead, published or not (an unknown `kid`). */
  readonly key?: TestKey
  /** `typ: 'JWT'` by default; `null` sends none, as Kubernetes does. */
  readonly typ?: string | null
}

export interface OidcIssuer {
  /** The issuer URL, `iss` of its tokens: `http://127.0.0.1:<port><path>`. */
  readonly url: string
  /** The current signing keys; other issuers use the same kids (`rsa-1`, `ec-1`), as real ones may. */
  readonly keys: Readonly<Record<Alg, TestKey>>
  /** How often its discovery document and its JWKS were fetched. */
  readonly fetches: { readonly discovery: number; readonly jwks: number }
  /** The time minted tokens start from, in seconds. */
  nowSeconds(): number
  /**
   * A token with `iss`, `jti` and `iat = nbf = now`, `exp = now + 300`
   * unless `claims` says otherwise (an `undefined` claim is left out),
   * signed with jose by the current key.
   */
  mint(claims: Record<string, unknown>, options?: MintOptions): Promise<string>
  /** A new current key for `alg`, published first; the old one stays published until retired. */
  rotate(alg?: Alg): TestKey
  /** Stops publishing the key with this `kid`. */
  retire(kid: string): void
  /** Misbehaves from now on: another `issuer` in discovery, or a JWKS status other than 200. */
  misbehave(behaviour: { readonly discoveryIssuer?: string; readonly jwksStatus?: number }): void
  close(): Promise<void>
}

/**
 * Starts an issuer on 127.0.0.1 with a free port.
 *
 * @example
 * const github = await startOidcIssuer({ clock })
 * const token = await github.mint(githubActionsClaims({ aud: 'tollgate' }))
 */
export const startOidcIssuer = async (options: OidcIssuerOptions = {}): Promise<OidcIssuer> => {
  const clock = options.clock ?? { now: () => Date.now() }
  const path = options.path ?? ''
  const current: Record<Alg, TestKey> = {
    RS256: makeTestKey('RS256', 'rsa-1'),
    ES256: makeTestKey('ES256', 'ec-1'),
  }
  let published: PublicJwk[] = [current.RS256.jwk, current.ES256.jwk]
  let behaviour: { discoveryIssuer?: string; jwksStatus?: number } = {}
  const fetches = { discovery: 0, jwks: 0 }
  let rotations = 1
  let url = ''

  const respond = (response: ServerResponse, status: number, body?: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' })
    response.end(body === undefined ? '' : JSON.stringify(body))
  }
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    if (request.url === `${path}/.well-known/openid-configuration`) {
      fetches.discovery++
      return respond(response, 200, {
        issuer: behaviour.discoveryIssuer ?? url,
        jwks_uri: `${url}/.well-known/jwks`,
        subject_types_supported: ['public', 'pairwise'],
        response_types_supported: ['id_token'],
        id_token_signing_alg_values_supported: ['RS256', 'ES256'],
        claims_supported: ['sub', 'aud', 'exp', 'iat', 'iss', 'jti', 'nbf'],
      })
    }
    if (request.url === `${path}/.well-known/jwks`) {
      fetches.jwks++
      const status = behaviour.jwksStatus ?? 200
      return respond(response, status, status === 200 ? { keys: published } : undefined)
    }
    respond(response, 404)
  }

  const server = createServer(handle)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`
  const nowSeconds = () => Math.floor(clock.now() / 1000)

  return {
    url,
    keys: current,
    fetches,
    nowSeconds,
    mint: (claims, mintOptions = {}) => {
      const key = mintOptions.key ?? current[mintOptions.alg ?? 'RS256']
      const typ = mintOptions.typ === undefined ? 'JWT' : mintOptions.typ
      return new SignJWT(withDefaults(url, nowSeconds(), claims))
        .setProtectedHeader({ alg: key.alg, kid: key.kid, ...(typ === null ? {} : { typ }) })
        .sign(key.privateKey)
    },
    rotate: (alg = 'RS256') => {
      rotations++
      const key = makeTestKey(alg, `${alg === 'RS256' ? 'rsa' : 'ec'}-${rotations}`)
      current[alg] = key
      published = [key.jwk, ...published]
      return key
    },
    retire: (kid) => {
      published = published.filter((jwk) => jwk.kid !== kid)
    },
    misbehave: (next) => {
      behaviour = { ...next }
    },
    close: () =>
      new Promise((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      ),
  }
}

/** `claims` over the defaults every issuer sets; an `undefined` claim is dropped. */
const withDefaults = (
  iss: string,
  now: number,
  claims: Record<string, unknown>,
): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries({
      iss,
      jti: randomUUID(),
      iat: now,
      nbf: now,
      exp: now + 300,
      ...claims,
    }).filter(([, value]) => value !== undefined),
  )

/**
 * The claims of a GitHub Actions OIDC token (docs.github.com, "About
 * security hardening with OpenID Connect"): `sub` names the environment
 * when the job has one, else the ref. Ids are strings, as GitHub sends them.
 */
export const githubActionsClaims = (
  options: {
    readonly repository?: string
    readonly ref?: string
    readonly environment?: string
    readonly workflow?: string
    readonly aud?: string
  } = {},
): Record<string, unknown> => {
  const repository = options.repository ?? 'acme/api'
  const ref = options.ref ?? 'refs/heads/main'
  const owner = repository.split('/')[0] ?? repository
  const workflow = options.workflow ?? '.github/workflows/deploy.yml'
  const subject =
    options.environment === undefined
      ? `repo:${repository}:ref:${ref}`
      : `repo:${repository}:environment:${options.environment}`
  return {
    sub: subject,
    aud: options.aud ?? `https://github.com/${owner}`,
    ref,
    ref_type: ref.startsWith('refs/tags/') ? 'tag' : 'branch',
    ref_protected: 'true',
    sha: '5b0a2b7c1d8c4c9c7b5f0e3e2f1a9d8c7b6a5f4e',
    repository,
    repository_id: '690215412',
    repository_owner: owner,
    repository_owner_id: '141230719',
    repository_visibility: 'private',
    run_id: '9384756120',
    run_number: '42',
    run_attempt: '1',
    runner_environment: 'github-hosted',
    actor: 'octocat',
    actor_id: '583231',
    event_name: 'push',
    head_ref: '',
    base_ref: '',
    workflow: 'deploy',
    workflow_ref: `${repository}/${workflow}@${ref}`,
    workflow_sha: '5b0a2b7c1d8c4c9c7b5f0e3e2f1a9d8c7b6a5f4e',
    job_workflow_ref: `${repository}/${workflow}@${ref}`,
    job_workflow_sha: '5b0a2b7c1d8c4c9c7b5f0e3e2f1a9d8c7b6a5f4e',
    ...(options.environment === undefined ? {} : { environment: options.environment }),
  }
}

/** The claims of a GitLab CI `id_tokens` token (docs.gitlab.com, "OpenID Connect (OIDC) Authentication Using ID Tokens"). */
export const gitlabCiClaims = (
  options: { readonly project?: string; readonly ref?: string; readonly aud?: string } = {},
): Record<string, unknown> => {
  const project = options.project ?? 'acme/api'
  const ref = options.ref ?? 'main'
  return {
    sub: `project_path:${project}:ref_type:branch:ref:${ref}`,
    aud: options.aud ?? 'https://tollgate.example',
    namespace_id: '72',
    namespace_path: project.split('/')[0] ?? project,
    project_id: '20',
    project_path: project,
    user_id: '1',
    user_login: 'sample-user',
    user_email: 'sample-user@example.com',
    user_access_level: 'developer',
    pipeline_id: '574',
    pipeline_source: 'push',
    job_id: '302',
    ref,
    ref_type: 'branch',
    ref_path: `refs/heads/${ref}`,
    ref_protected: 'true',
    runner_id: 1,
    runner_environment: 'gitlab-hosted',
    sha: '714a629c0b401fdce83e847fc9589983fc6f46bc',
    project_visibility: 'private',
    ci_config_ref_uri: `gitlab.com/${project}//.gitlab-ci.yml@refs/heads/${ref}`,
    ci_config_sha: '714a629c0b401fdce83e847fc9589983fc6f46bc',
  }
}

/**
 * The claims of a projected Kubernetes service-account token: `aud` a list,
 * the pod and account under `kubernetes.io` (mint it with `typ: null`:
 * the API server sends no `typ`).
 */
export const kubernetesClaims = (
  options: {
    readonly namespace?: string
    readonly serviceAccount?: string
    readonly aud?: string
  } = {},
): Record<string, unknown> => {
  const namespace = options.namespace ?? 'payments'
  const serviceAccount = options.serviceAccount ?? 'api'
  return {
    sub: `system:serviceaccount:${namespace}:${serviceAccount}`,
    aud: [options.aud ?? 'https://tollgate.example'],
    'kubernetes.io': {
      namespace,
      node: { name: 'ip-10-0-1-17.ec2.internal', uid: '9f6c1c1e-4b53-4a2f-8d0e-3c1f2a5b6d7e' },
      pod: {
        name: `${serviceAccount}-7d9f8b6c5-x2x4q`,
        uid: 'c0ffee00-1234-4abc-9def-0123456789ab',
      },
      serviceaccount: { name: serviceAccount, uid: '7e3a2b1c-5d4e-4f6a-8b9c-0d1e2f3a4b5c' },
    },
  }
}

/** Who must refuse a hostile token: the issuer-level verifier at a check, or a trust policy. */
export type RefusedBy =
  | { readonly verifier: OutsideTokenCheck }
  | { readonly policy: 'audience' | 'token_age' }

export interface HostileToken {
  readonly name: string
  readonly token: string
  readonly refusedBy: RefusedBy
}

/**
 * Every hostile variant of a good token from `issuer` with `claims` (which
 * must carry the audience the trust policy expects): each differs from the
 * good one in one way, signed for real where a signature is needed, so only
 * the named check can refuse it. `other` is a second issuer, on the same
 * allow-list, publishing keys with the same kids.
 *
 * @example
 * for (const { name, token, refusedBy } of hostileTokens(github, { claims, other: gitlab })) …
 */
export const hostileTokens = (
  issuer: OidcIssuer,
  options: { readonly claims: Record<string, unknown>; readonly other: OidcIssuer },
): HostileToken[] => {
  const now = issuer.nowSeconds()
  const key = issuer.keys.RS256
  const header = { alg: 'RS256', kid: key.kid, typ: 'JWT' }
  const good = withDefaults(issuer.url, now, options.claims)
  const claims = (overrides: Record<string, unknown>) =>
    withDefaults(issuer.url, now, { ...good, ...overrides })
  const signed = (overrides: Record<string, unknown>) => signRaw(key, header, claims(overrides))
  const withHeader = (extra: Record<string, unknown>, signer: TestKey = key) =>
    signRaw(signer, { ...header, ...extra }, good)
  const signingInput = (alg: string) =>
    `${encodeSegment({ ...header, alg })}.${encodeSegment(good)}`
  const publicPem = key.publicKey.export({ format: 'pem', type: 'spki' }) as string
  const attacker = makeTestKey('RS256', 'attacker')
  const tokens: HostileToken[] = []
  const add = (name: string, token: string, refusedBy: RefusedBy) =>
    tokens.push({ name, token, refusedBy })

  add(
    'wrong issuer',
    signed({ iss: 'https://token.actions.githubusercontent.com.attacker.example' }),
    {
      verifier: 'issuer',
    },
  )
  add('issuer with a trailing slash', signed({ iss: `${issuer.url}/` }), { verifier: 'issuer' })
  add('no issuer', signed({ iss: undefined }), { verifier: 'issuer' })
  add('wrong audience', signed({ aud: 'https://attacker.example' }), { policy: 'audience' })
  add('issued two hours ago, still unexpired', signed({ iat: now - 7200, nbf: now - 7200 }), {
    policy: 'token_age',
  })
  // An empty signature is not a compact JWS at all: refused before its header is read.
  add('alg none', `${signingInput('none')}.`, { verifier: 'shape' })
  add('alg none with a signature', `${signingInput('none')}.${encodeSegment('sig')}`, {
    verifier: 'header',
  })
  add(
    'HS256 signed with the public key',
    `${signingInput('HS256')}.${createHmac('sha256', publicPem).update(signingInput('HS256')).digest('base64url')}`,
    { verifier: 'header' },
  )
  add('alg PS256', withHeader({ alg: 'PS256' }), { verifier: 'header' })
  add('alg EdDSA', withHeader({ alg: 'EdDSA' }), { verifier: 'header' })
  add(
    'alg ES256 naming the RSA key',
    signRaw(issuer.keys.ES256, { ...header, alg: 'ES256' }, good),
    {
      verifier: 'key',
    },
  )
  add('embedded jwk of the attacker', withHeader({ jwk: attacker.jwk }, attacker), {
    verifier: 'header',
  })
  for (const member of ['jku', 'x5u']) {
    add(
      `${member} to the attacker`,
      withHeader({ [member]: 'https://attacker.example/jwks' }, attacker),
      {
        verifier: 'header',
      },
    )
  }
  add('x5c chain of the attacker', withHeader({ x5c: ['MIIBfake'] }, attacker), {
    verifier: 'header',
  })
  add('crit extension', withHeader({ crit: ['exp'] }), { verifier: 'header' })
  add('unknown kid', signRaw(attacker, { ...header, kid: 'never-published' }, good), {
    verifier: 'key',
  })
  if (options.other.keys.RS256.kid !== key.kid) {
    throw new Error('hostileTokens needs another issuer whose RSA key has the same kid')
  }
  add("another issuer's key with the same kid", signRaw(options.other.keys.RS256, header, good), {
    verifier: 'signature',
  })
  const [originalHeader, , originalSignature] = signed({}).split('.')
  add(
    'tampered payload, original signature',
    `${originalHeader}.${encodeSegment(claims({ sub: 'repo:acme/admin:ref:refs/heads/main' }))}.${originalSignature}`,
    { verifier: 'signature' },
  )
  add('expired', signed({ iat: now - 600, nbf: now - 600, exp: now - 61 }), { verifier: 'times' })
  add('not yet valid', signed({ nbf: now + 120, exp: now + 600 }), { verifier: 'times' })
  add('issued in the future', signed({ iat: now + 120, nbf: now, exp: now + 600 }), {
    verifier: 'times',
  })
  add('no iat', signed({ iat: undefined }), { verifier: 'times' })
  add('no nbf', signed({ nbf: undefined }), { verifier: 'times' })
  add('no exp', signed({ exp: undefined }), { verifier: 'times' })
  add('exp a string', signed({ exp: String(now + 300) }), { verifier: 'times' })
  add('a lifetime over a day', signed({ exp: now + 86_401 }), { verifier: 'times' })
  add('no subject', signed({ sub: undefined }), { verifier: 'subject' })
  add('oversized', signed({ pad: 'x'.repeat(9 * 1024) }), { verifier: 'shape' })
  add('two segments', signed({}).split('.').slice(0, 2).join('.'), { verifier: 'shape' })
  return tokens
}
