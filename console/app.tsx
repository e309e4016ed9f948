import { useEffect, useState } from 'preact/hooks'
import {
  type ConsoleConfig,
  type ServiceAccount,
  TollgateClient,
} from '../functions/client/index.js'
import { AccountDetail, AccountList } from './accounts.js'
import type { IdentityProvider } from './oidc.js'
import {
  apiBase,
  type Session,
  signInAsDeveloper,
  signInThroughProvider,
  signInWithAccessToken,
} from './session.js'
import { CreateToken, TokenDetail, TokenList } from './tokens.js'
import { ErrorNote, Field, useAction } from './ui.js'

type Screen =
  | { readonly name: 'tokens' }
  | { readonly name: 'token'; readonly id: string }
  | { readonly name: 'create-token'; readonly account?: ServiceAccount | undefined }
  | { readonly name: 'accounts' }
  | { readonly name: 'account'; readonly id: string }

/** Renew this long before the session ends. */
const RENEW_BEFORE_MS = 60_000

export const App = () => {
  const [session, setSession] = useState<Session | undefined>()
  const [ended, setEnded] = useState<string | undefined>()
  const [screen, setScreen] = useState<Screen>({ name: 'tokens' })

  // Renew before the end where the session can; otherwise end it, saying so.
  useEffect(() => {
    if (session === undefined) return
    const renewAt = session.endsAt - RENEW_BEFORE_MS
    const timer = setTimeout(
      async () => {
        if (session.renew !== undefined) {
          try {
            setSession(await session.renew())
            return
          } catch {
            // Falls through to the end below, at the session's end.
          }
        }
        setTimeout(
          () => {
            setSession(undefined)
            setEnded('Your session ended. Sign in again to go on.')
          },
          Math.max(0, session.endsAt - Date.now()),
        )
      },
      Math.max(0, renewAt - Date.now()),
    )
    return () => clearTimeout(timer)
  }, [session])

  if (session === undefined) {
    return (
      <SignIn
        notice={ended}
        onSignedIn={(opened) => {
          setEnded(undefined)
          setScreen({ name: 'tokens' })
          setSession(opened)
        }}
      />
    )
  }
  const mayCreatePersonal = (session.me.allowed_actions ?? []).includes('create_personal_token')
  return (
    <>
      <Header session={session} onSignOut={() => setSession(undefined)} />
      <nav aria-label="Sections">
        <button
          type="button"
          aria-current={screen.name.includes('token') ? 'page' : undefined}
          onClick={() => setScreen({ name: 'tokens' })}
        >
          Tokens
        </button>
        <button
          type="button"
          aria-current={screen.name.startsWith('account') ? 'page' : undefined}
          onClick={() => setScreen({ name: 'accounts' })}
        >
          Service accounts
        </button>
      </nav>
      {screen.name === 'tokens' ? (
        <TokenList
          session={session}
          onOpen={(id) => setScreen({ name: 'token', id })}
          onCreate={mayCreatePersonal ? () => setScreen({ name: 'create-token' }) : undefined}
        />
      ) : screen.name === 'token' ? (
        <TokenDetail
          session={session}
          id={screen.id}
          onBack={() => setScreen({ name: 'tokens' })}
        />
      ) : screen.name === 'create-token' ? (
        <CreateToken
          session={session}
          account={screen.account}
          onDone={(id) =>
            setScreen(
              id !== undefined
                ? { name: 'token', id }
                : screen.account === undefined
                  ? { name: 'tokens' }
                  : { name: 'account', id: screen.account.id },
            )
          }
        />
      ) : screen.name === 'accounts' ? (
        <AccountList session={session} onOpen={(id) => setScreen({ name: 'account', id })} />
      ) : (
        <AccountDetail
          session={session}
          id={screen.id}
          onBack={() => setScreen({ name: 'accounts' })}
          onOpenToken={(id) => setScreen({ name: 'token', id })}
          onCreateToken={(account) => setScreen({ name: 'create-token', account })}
        />
      )}
    </>
  )
}

const Header = ({
  session,
  onSignOut,
}: {
  readonly session: Session
  readonly onSignOut: () => void
}) => (
  <header class="session">
    <h1>Tollgate</h1>
    <dl>
      <dt>Signed in as</dt>
      <dd data-testid="who">
        {session.me.sub} ({session.me.kind}, via {session.via})
      </dd>
      <dt>Scopes</dt>
      <dd>{session.me.scopes.join(' ') || 'none'}</dd>
      <dt>Session ends</dt>
      <dd data-testid="session-ends">{new Date(session.endsAt).toLocaleTimeString()}</dd>
    </dl>
    <button type="button" onClick={onSignOut}>
      Sign out
    </button>
  </header>
)

const SignIn = ({
  notice,
  onSignedIn,
}: {
  readonly notice: string | undefined
  readonly onSignedIn: (session: Session) => void
}) => {
  const [config, setConfig] = useState<ConsoleConfig | undefined>()
  const [name, setName] = useState('')
  const [admin, setAdmin] = useState(false)
  const [accessToken, setAccessToken] = useState('')
  const { busy, error, run } = useAction()
  useEffect(() => {
    run(async () => {
      setConfig(await new TollgateClient({ baseUrl: apiBase() }).console.config())
    })
  }, [])
  const signIn = (open: () => Promise<Session>) =>
    run(async () => {
      onSignedIn(await open())
    })
  return (
    <section class="sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in to Tollgate</h1>
      {notice === undefined ? null : (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <ErrorNote error={error} />
      {(config?.identity_providers ?? []).map((provider: IdentityProvider) => (
        <button
          key={provider.id}
          type="button"
          class="primary"
          disabled={busy}
          onClick={() => signIn(() => signInThroughProvider(provider))}
        >
          Sign in with {provider.id}
        </button>
      ))}
      {config?.development_sign_in === true ? (
        <form
          class="panel"
          aria-label="Development sign-in"
          onSubmit={(event) => {
            event.preventDefault()
            signIn(() => signInAsDeveloper(name.trim(), admin ? ['admin'] : []))
          }}
        >
          <h2>Development issuer (local only)</h2>
          <Field label="Your name">
            <input required value={name} onInput={(event) => setName(event.currentTarget.value)} />
          </Field>
          <label>
            <input
              type="checkbox"
              checked={admin}
              onChange={(event) => setAdmin(event.currentTarget.checked)}
            />
            with the admin role
          </label>
          <button type="submit" disabled={busy}>
            Sign in as a developer
          </button>
        </form>
      ) : null}
      <form
        class="panel"
        aria-label="Access token sign-in"
        onSubmit={(event) => {
          event.preventDefault()
          const pasted = accessToken
          // Out of the page's state at once: it is exchanged for a short JWT, then forgotten.
          setAccessToken('')
          signIn(() => signInWithAccessToken(pasted))
        }}
      >
        <h2>Break-glass: an access token</h2>
        <p class="muted">Exchanged once for a JWT of 15 minutes; the token itself is not kept.</p>
        <Field label="Access token">
          <input
            type="password"
            autocomplete="off"
            required
            value={accessToken}
            onInput={(event) => setAccessToken(event.currentTarget.value)}
          />
        </Field>
        <button type="submit" disabled={busy}>
          Sign in with the token
        </button>
      </form>
    </section>
  )
}
