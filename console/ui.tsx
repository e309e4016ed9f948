import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import { describeError } from './session.js'

/** Everything shown is rendered as text by Preact: nothing user-supplied becomes markup. */

export const ErrorNote = ({ error }: { readonly error: unknown }) =>
  error === undefined ? null : (
    <p class="error" role="alert">
      {describeError(error)}
    </p>
  )

/** What a detail screen shows when its record could not be read: why, and the way back. */
export const Unreadable = ({
  error,
  onBack,
}: {
  readonly error: unknown
  readonly onBack: () => void
}) => (
  <section>
    <ErrorNote error={error} />
    <button type="button" onClick={onBack}>
      Back
    </button>
  </section>
)

/** Runs an action, keeping its error and whether it is busy. */
export const useAction = () => {
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<unknown>(undefined)
  const run = async (action: () => Promise<void>) => {
    setBusy(true)
    setError(undefined)
    try {
      await action()
    } catch (caught) {
      setError(caught)
    } finally {
      setBusy(false)
    }
  }
  return { busy, error, run, setError }
}

/** A two-step button: nothing irreversible happens on the first click. */
export const ConfirmButton = ({
  label,
  question,
  onConfirm,
  danger = false,
}: {
  readonly label: string
  readonly question: string
  readonly onConfirm: () => void
  readonly danger?: boolean
}) => {
  const [asking, setAsking] = useState(false)
  if (!asking) {
    return (
      <button type="button" class={danger ? 'danger' : ''} onClick={() => setAsking(true)}>
        {label}
      </button>
    )
  }
  return (
    <fieldset class="confirm">
      <legend>{question}</legend>
      <button
        type="button"
        class={danger ? 'danger' : ''}
        onClick={() => {
          setAsking(false)
          onConfirm()
        }}
      >
        Yes, {label.toLowerCase()}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </fieldset>
  )
}

/** A secret shown once, with a copy button and the plain warning. */
export const SecretOnce = ({
  secret,
  onDone,
}: {
  readonly secret: string
  readonly onDone: () => void
}) => {
  const [copied, setCopied] = useState(false)
  return (
    <section class="secret" aria-labelledby="secret-title">
      <h2 id="secret-title">Your new access token</h2>
      <p>
        <strong>Copy it now: you will not see this again.</strong> Tollgate keeps only a keyed hash
        of it.
      </p>
      <code data-testid="secret">{secret}</code>
      <div class="actions">
        <button
          type="button"
          onClick={async () => {
            await navigator.clipboard.writeText(secret)
            setCopied(true)
          }}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
    </section>
  )
}

export const Field = ({
  label,
  children,
}: {
  readonly label: string
  readonly children: ComponentChildren
}) => (
  // biome-ignore lint/a11y/noLabelWithoutControl: the control is the child, which biome cannot see
  <label class="field">
    <span>{label}</span>
    {children}
  </label>
)

/** Checkboxes for a set of names, within `choices`. */
export const NamePicker = ({
  legend,
  choices,
  chosen,
  onChange,
}: {
  readonly legend: string
  readonly choices: readonly string[]
  readonly chosen: readonly string[]
  readonly onChange: (names: readonly string[]) => void
}) => (
  <fieldset class="names">
    <legend>{legend}</legend>
    {choices.length === 0 ? <p class="muted">None to choose from.</p> : null}
    {choices.map((name) => (
      <label key={name}>
        <input
          type="checkbox"
          checked={chosen.includes(name)}
          onChange={(event) =>
            onChange(
              event.currentTarget.checked
                ? [...chosen, name]
                : chosen.filter((other) => other !== name),
            )
          }
        />
        {name}
      </label>
    ))}
  </fieldset>
)

const DAY_MS = 86_400_000

/** An instant as people read it, with how it stands: expired, or expiring within 7 days. */
export const Expiry = ({ at, now }: { readonly at: string | null; readonly now: number }) => {
  if (at === null) return <span>never</span>
  const ms = Date.parse(at)
  const label = new Date(ms).toLocaleString()
  if (ms <= now) return <span class="badge expired">expired {label}</span>
  if (ms - now <= 7 * DAY_MS) return <span class="badge expiring">expires soon: {label}</span>
  return <span>{label}</span>
}

export const When = ({ at }: { readonly at: string | null }) => (
  <span>{at === null ? 'never' : new Date(at).toLocaleString()}</span>
)
