import { useEffect, useState } from 'preact/hooks'
import type { AuditEvent, ServiceAccount } from '../functions/client/index.js'
import type { Session } from './session.js'
import { Timeline, TokenList } from './tokens.js'
import { ConfirmButton, ErrorNote, Field, Unreadable, useAction } from './ui.js'

const names = (text: string): string[] => text.split(/[\s,]+/).filter((name) => name !== '')

/** Service accounts: list, create, edit, delete; each one's tokens and audit timeline. */
export const AccountList = ({
  session,
  onOpen,
}: {
  readonly session: Session
  readonly onOpen: (id: string) => void
}) => {
  const [items, setItems] = useState<readonly ServiceAccount[]>([])
  const [cursor, setCursor] = useState<string | null>(null)
  const [creating, setCreating] = useState(false)
  const { busy, error, run } = useAction()
  const load = (from: string | undefined, shown: readonly ServiceAccount[]) =>
    run(async () => {
      const page = await session.client.serviceAccounts.list({ limit: 20, cursor: from })
      setItems([...shown, ...page.items])
      setCursor(page.next_cursor)
    })
  useEffect(() => {
    load(undefined, [])
  }, [])
  const mayCreate = (session.me.allowed_actions ?? []).includes('create_service_account')
  return (
    <section aria-labelledby="accounts-title">
      <div class="heading">
        <h2 id="accounts-title">Service accounts</h2>
        {mayCreate && !creating ? (
          <button type="button" class="primary" onClick={() => setCreating(true)}>
            Create account
          </button>
        ) : null}
      </div>
      {creating ? (
        <CreateAccount
          session={session}
          onDone={(id) => {
            setCreating(false)
            if (id !== undefined) onOpen(id)
          }}
        />
      ) : null}
      <ErrorNote error={error} />
      <table>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Scopes</th>
            <th scope="col">Roles</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {items.map((account) => (
            <tr key={account.id}>
              <td>
                <button type="button" class="link" onClick={() => onOpen(account.id)}>
                  {account.name}
                </button>
              </td>
              <td>{account.scopes.join(' ')}</td>
              <td>{account.roles.join(' ')}</td>
              <td>{new Date(account.created_at).toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {items.length === 0 && !busy ? <p class="muted">No service accounts.</p> : null}
      {cursor === null ? null : (
        <button type="button" disabled={busy} onClick={() => load(cursor, items)}>
          More
        </button>
      )}
    </section>
  )
}

const CreateAccount = ({
  session,
  onDone,
}: {
  readonly session: Session
  readonly onDone: (id: string | undefined) => void
}) => {
  const [name, setName] = useState('')
  const [description, setDescription] = useState('')
  const [scopes, setScopes] = useState('')
  const [roles, setRoles] = useState('')
  const { busy, error, run } = useAction()
  return (
    <form
      class="panel"
      aria-label="New service account"
      onSubmit={(event) => {
        event.preventDefault()
        run(async () => {
          const account = await session.client.serviceAccounts.create({
            name: name.trim(),
            ...(description === '' ? {} : { description }),
            scopes: names(scopes),
            roles: names(roles),
          })
          onDone(account.id)
        })
      }}
    >
      <Field label="Account name">
        <input required value={name} onInput={(event) => setName(event.currentTarget.value)} />
      </Field>
      <Field label="Account description">
        <textarea
          value={description}
          onInput={(event) => setDescription(event.currentTarget.value)}
        />
      </Field>
      <Field label="Scopes (space-separated)">
        <input value={scopes} onInput={(event) => setScopes(event.currentTarget.value)} />
      </Field>
      <Field label="Roles (space-separated)">
        <input value={roles} onInput={(event) => setRoles(event.currentTarget.value)} />
      </Field>
      <ErrorNote error={error} />
      <div class="actions">
        <button type="submit" class="primary" disabled={busy}>
          Create account
        </button>
        <button type="button" onClick={() => onDone(undefined)}>
          Cancel
        </button>
      </div>
    </form>
  )
}

export const AccountDetail = ({
  session,
  id,
  onBack,
  onOpenToken,
  onCreateToken,
}: {
  readonly session: Session
  readonly id: string
  readonly onBack: () => void
  readonly onOpenToken: (id: string) => void
  readonly onCreateToken: (account: ServiceAccount) => void
}) => {
  const [account, setAccount] = useState<ServiceAccount | undefined>()
  const [etag, setEtag] = useState<string | undefined>()
  const [description, setDescription] = useState<string | undefined>()
  const [events, setEvents] = useState<readonly AuditEvent[]>([])
  const { busy, error, run } = useAction()
  const reload = () =>
    run(async () => {
      const answer = await session.client.call('GET /service-accounts/{id}', { params: { id } })
      setAccount(answer.data)
      setEtag(answer.etag)
      setDescription(undefined)
      setEvents((await session.client.serviceAccounts.events(id, { limit: 50 })).items)
    })
  useEffect(() => {
    reload()
  }, [id])
  if (account === undefined) {
    return <Unreadable error={error} onBack={onBack} />
  }
  const allowed = account.allowed_actions ?? []
  return (
    <section aria-labelledby="account-title">
      <button type="button" class="link" onClick={onBack}>
        ← All service accounts
      </button>
      <h2 id="account-title">{account.name}</h2>
      <dl class="facts">
        <dt>Id</dt>
        <dd>
          <code>{account.id}</code>
        </dd>
        <dt>Description</dt>
        <dd>{account.description || '—'}</dd>
        <dt>Scopes</dt>
        <dd>{account.scopes.join(' ') || '—'}</dd>
        <dt>Roles</dt>
        <dd>{account.roles.join(' ') || '—'}</dd>
      </dl>
      <div class="actions">
        {allowed.includes('create_token') ? (
          <button type="button" class="primary" onClick={() => onCreateToken(account)}>
            Create token
          </button>
        ) : null}
        {allowed.includes('update') && description === undefined ? (
          <button type="button" onClick={() => setDescription(account.description)}>
            Edit description
          </button>
        ) : null}
        {allowed.includes('delete') ? (
          <ConfirmButton
            label="Delete"
            danger
            question="Delete this account? Every one of its tokens stops working at once."
            onConfirm={() =>
              run(async () => {
                await session.client.serviceAccounts.delete(id)
                onBack()
              })
            }
          />
        ) : null}
      </div>
      {description === undefined ? null : (
        <form
          class="panel"
          aria-label="Edit account"
          onSubmit={(event) => {
            event.preventDefault()
            run(async () => {
              await session.client.serviceAccounts.update(
                id,
                { description },
                { ifMatch: etag ?? '*' },
              )
              await reload()
            })
          }}
        >
          <Field label="Account description">
            <textarea
              value={description}
              onInput={(event) => setDescription(event.currentTarget.value)}
            />
          </Field>
          <div class="actions">
            <button type="submit" class="primary" disabled={busy}>
              Save
            </button>
            <button type="button" onClick={() => setDescription(undefined)}>
              Cancel
            </button>
          </div>
        </form>
      )}
      <ErrorNote error={error} />
      <TokenList session={session} owner={account.id} onOpen={onOpenToken} />
      <Timeline events={events} />
    </section>
  )
}
