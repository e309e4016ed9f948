import { useEffect, useState } from 'preact/hooks'
import {
  type AccessToken,
  type AuditEvent,
  type ServiceAccount,
  TollgateApiError,
} from '../functions/client/index.js'
import type { Session } from './session.js'
import {
  ConfirmButton,
  ErrorNote,
  Expiry,
  Field,
  NamePicker,
  SecretOnce,
  Unreadable,
  useAction,
  When,
} from './ui.js'

type Status = 'active' | 'revoked' | 'expired'

interface Filters {
  readonly owner: string
  readonly name: string
  readonly status: '' | Status
}

/** The token list: filters, pages by cursor, expiry at a glance. */
export const TokenList = ({
  session,
  owner = '',
  onOpen,
  onCreate,
}: {
  readonly session: Session
  readonly owner?: string
  readonly onOpen: (id: string) => void
  readonly onCreate?: (() => void) | undefined
}) => {
  const [draft, setDraft] = useState<Filters>({ owner, name: '', status: '' })
  const [filters, setFilters] = useState<Filters>(draft)
  const [items, setItems] = useState<readonly AccessToken[]>([])
  const [cursor, setCursor] = useState<string | null>(null)
  const { busy, error, run } = useAction()
  const now = Date.now()

  const load = (from: string | undefined, shown: readonly AccessToken[]) =>
    run(async () => {
      const page = await session.client.accessTokens.list({
        limit: 20,
        cursor: from,
        owner: filters.owner.trim() || undefined,
        name: filters.name.trim() || undefined,
        status: filters.status || undefined,
      })
      setItems([...shown, ...page.items])
      setCursor(page.next_cursor)
    })
  useEffect(() => {
    load(undefined, [])
  }, [filters])

  return (
    <section aria-labelledby="tokens-title">
      <div class="heading">
        <h2 id="tokens-title">Access tokens</h2>
        {onCreate === undefined ? null : (
          <button type="button" class="primary" onClick={onCreate}>
            Create token
          </button>
        )}
      </div>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault()
          setFilters(draft)
        }}
      >
        <Field label="Owner">
          <input
            value={draft.owner}
            placeholder="sa_… or user:<issuer>:<sub>"
            onInput={(event) => setDraft({ ...draft, owner: event.currentTarget.value })}
          />
        </Field>
        <Field label="Name">
          <input
            value={draft.name}
            onInput={(event) => setDraft({ ...draft, name: event.currentTarget.value })}
          />
        </Field>
        <Field label="Status">
          <select
            value={draft.status}
            onChange={(event) =>
              setDraft({ ...draft, status: event.currentTarget.value as Filters['status'] })
            }
          >
            <option value="">any</option>
            <option value="active">active</option>
            <option value="expired">expired</option>
            <option value="revoked">revoked</option>
          </select>
        </Field>
        <button type="submit">Filter</button>
      </form>
      <ErrorNote error={error} />
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Owner</th>
            <th scope="col">Status</th>
            <th scope="col">Expires</th>
            <th scope="col">Last used</th>
          </tr>
        </thead>
        <tbody>
          {items.map((token) => (
            <tr key={token.id}>
              <td>
                <button type="button" class="link" onClick={() => onOpen(token.id)}>
                  {token.name}
                </button>
              </td>
              <td>{token.owner.id}</td>
              <td>
                <span class={`badge ${token.status}`}>{token.status}</span>
              </td>
              <td>
                <Expiry at={token.expires_at} now={now} />
              </td>
              <td>
                <When at={token.last_used_at} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {items.length === 0 && !busy ? <p class="muted">No tokens match.</p> : null}
      {cursor === null ? null : (
        <button type="button" disabled={busy} onClick={() => load(cursor, items)}>
          More
        </button>
      )}
    </section>
  )
}

const EXPIRY_PRESETS = [
  { label: '7 days', days: 7 },
  { label: '30 days', days: 30 },
  { label: '90 days', days: 90 },
] as const

/** Create a token: scopes from what the owner may hold, an expiry, then the secret once. */
export const CreateToken = ({
  session,
  account,
  onDone,
}: {
  readonly session: Session
  /** A service account's token; undefined: a personal token of the signed-in person. */
  readonly account?: ServiceAccount | undefined
  readonly onDone: (id: string | undefined) => void
}) => {
  const holdable = (account?.scopes ?? session.me.scopes).filter(
    (scope) => scope !== 'tollgate:admin',
  )
  const [name, setName] = useState('')
  const [description, setDescription] = useState('')
  const [scopes, setScopes] = useState<readonly string[]>(holdable)
  const [days, setDays] = useState<number | 'date'>(30)
  const [date, setDate] = useState('')
  const [created, setCreated] = useState<{ id: string; secret: string } | undefined>()
  const { busy, error, run, setError } = useAction()

  if (created !== undefined) {
    return <SecretOnce secret={created.secret} onDone={() => onDone(created.id)} />
  }
  const seconds = () => {
    if (days !== 'date') return days * 86_400
    const until = Date.parse(`${date}T23:59:59`)
    return Number.isNaN(until) ? Number.NaN : Math.floor((until - Date.now()) / 1000)
  }
  return (
    <form
      class="panel"
      aria-labelledby="create-title"
      onSubmit={(event) => {
        event.preventDefault()
        const expires = seconds()
        if (!Number.isFinite(expires) || expires <= 0) {
          setError(new Error('Choose an expiry date in the future.'))
          return
        }
        run(async () => {
          const answer = await session.client.accessTokens.create({
            name: name.trim(),
            ...(description === '' ? {} : { description }),
            ...(account === undefined ? {} : { service_account_id: account.id }),
            scopes: [...scopes],
            expires_in_seconds: expires,
          })
          setCreated({ id: answer.id, secret: answer.token })
        })
      }}
    >
      <h2 id="create-title">
        {account === undefined ? 'New personal token' : `New token for ${account.name}`}
      </h2>
      <Field label="Name">
        <input required value={name} onInput={(event) => setName(event.currentTarget.value)} />
      </Field>
      <Field label="Description">
        <textarea
          value={description}
          onInput={(event) => setDescription(event.currentTarget.value)}
        />
      </Field>
      <NamePicker legend="Scopes" choices={holdable} chosen={scopes} onChange={setScopes} />
      <fieldset class="names">
        <legend>Expires in</legend>
        {EXPIRY_PRESETS.map((preset) => (
          <label key={preset.days}>
            <input
              type="radio"
              name="expiry"
              checked={days === preset.days}
              onChange={() => setDays(preset.days)}
            />
            {preset.label}
          </label>
        ))}
        <label>
          <input
            type="radio"
            name="expiry"
            checked={days === 'date'}
            onChange={() => setDays('date')}
          />
          on a date
        </label>
        {days === 'date' ? (
          <input
            type="date"
            aria-label="Expiry date"
            value={date}
            onInput={(event) => setDate(event.currentTarget.value)}
          />
        ) : null}
      </fieldset>
      <ErrorNote error={error} />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          Create
        </button>
        <button type="button" onClick={() => onDone(undefined)}>
          Cancel
        </button>
      </div>
    </form>
  )
}

/** One token: its fields, edit with ETag, regenerate, revoke, its audit timeline. */
export const TokenDetail = ({
  session,
  id,
  onBack,
}: {
  readonly session: Session
  readonly id: string
  readonly onBack: () => void
}) => {
  const [token, setToken] = useState<AccessToken | undefined>()
  const [etag, setEtag] = useState<string | undefined>()
  const [draft, setDraft] = useState<{ description: string; scopes: readonly string[] }>()
  const [stale, setStale] = useState(false)
  const [secret, setSecret] = useState<string | undefined>()
  const [events, setEvents] = useState<readonly AuditEvent[]>([])
  const { busy, error, run } = useAction()

  const reload = (keepDraft: boolean) =>
    run(async () => {
      const answer = await session.client.call('GET /access-tokens/{id}', { params: { id } })
      setToken(answer.data)
      setEtag(answer.etag)
      if (!keepDraft) setDraft(undefined)
      setStale(false)
      setEvents((await session.client.accessTokens.events(id, { limit: 50 })).items)
    })
  useEffect(() => {
    reload(false)
  }, [id])

  if (secret !== undefined) {
    return (
      <SecretOnce
        secret={secret}
        onDone={() => {
          setSecret(undefined)
          reload(false)
        }}
      />
    )
  }
  if (token === undefined) {
    return <Unreadable error={error} onBack={onBack} />
  }
  const allowed = token.allowed_actions ?? []
  return (
    <section aria-labelledby="token-title">
      <button type="button" class="link" onClick={onBack}>
        ← All tokens
      </button>
      <h2 id="token-title">{token.name}</h2>
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <span class={`badge ${token.status}`}>{token.status}</span>
        </dd>
        <dt>Owner</dt>
        <dd>{token.owner.id}</dd>
        <dt>Description</dt>
        <dd>{token.description || '—'}</dd>
        <dt>Scopes</dt>
        <dd>{token.scopes.join(' ') || '—'}</dd>
        <dt>Token</dt>
        <dd>
          <code>{token.token_hint}</code> (id <code>{token.id}</code>)
        </dd>
        <dt>Expires</dt>
        <dd>
          <Expiry at={token.expires_at} now={Date.now()} />
        </dd>
        <dt>Last used</dt>
        <dd>
          <When at={token.last_used_at} />
        </dd>
      </dl>
      <div class="actions">
        {allowed.includes('update') && draft === undefined ? (
          <button
            type="button"
            onClick={() => setDraft({ description: token.description, scopes: token.scopes })}
          >
            Edit
          </button>
        ) : null}
        {allowed.includes('regenerate') ? (
          <ConfirmButton
            label="Regenerate"
            question="The current secret stops working at once. Regenerate?"
            onConfirm={() =>
              run(async () => {
                setSecret((await session.client.accessTokens.regenerate(id)).token)
              })
            }
          />
        ) : null}
        {allowed.includes('revoke') ? (
          <ConfirmButton
            label="Revoke"
            danger
            question="Revoke this token? Its JWTs are refused at once."
            onConfirm={() =>
              run(async () => {
                await session.client.accessTokens.revoke(id)
                await reload(false)
              })
            }
          />
        ) : null}
      </div>
      {draft === undefined ? null : (
        <form
          class="panel"
          aria-label="Edit token"
          onSubmit={(event) => {
            event.preventDefault()
            run(async () => {
              try {
                await session.client.accessTokens.update(
                  id,
                  { description: draft.description, scopes: [...draft.scopes] },
                  { ifMatch: etag ?? '*' },
                )
              } catch (caught) {
                if (caught instanceof TollgateApiError && caught.code === 'precondition_failed') {
                  setStale(true)
                  return
                }
                throw caught
              }
              await reload(false)
            })
          }}
        >
          <Field label="Description">
            <textarea
              value={draft.description}
              onInput={(event) => setDraft({ ...draft, description: event.currentTarget.value })}
            />
          </Field>
          <NamePicker
            legend="Scopes (narrow only)"
            choices={token.scopes}
            chosen={draft.scopes}
            onChange={(scopes) => setDraft({ ...draft, scopes })}
          />
          {stale ? (
            <p class="error" role="alert">
              Someone changed this token after you opened it, so your edit was not saved. What you
              typed is still here: load the latest version, check it, and save again.
              <button type="button" onClick={() => reload(true)}>
                Load the latest version
              </button>
            </p>
          ) : null}
          <div class="actions">
            <button type="submit" class="primary" disabled={busy}>
              Save
            </button>
            <button type="button" onClick={() => setDraft(undefined)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      <ErrorNote error={error} />
      <Timeline events={events} />
    </section>
  )
}

export const Timeline = ({ events }: { readonly events: readonly AuditEvent[] }) => (
  <section aria-labelledby="timeline-title">
    <h3 id="timeline-title">Audit timeline</h3>
    <ol class="timeline">
      {events.map((event) => (
        <li key={event.id}>
          <When at={event.at} /> <strong>{event.action}</strong> by <code>{event.actor}</code>
          {Object.keys(event.changes).length === 0 ? null : (
            <span class="muted"> {JSON.stringify(event.changes)}</span>
          )}
        </li>
      ))}
    </ol>
    {events.length === 0 ? <p class="muted">Nothing recorded yet.</p> : null}
  </section>
)
