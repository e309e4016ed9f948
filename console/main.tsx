import { render } from 'preact'
import * as z from 'zod/mini'
import { App } from './app.js'
import { handOverCallback } from './oidc.js'
import './styles.css'

// The CSP allows no eval: zod must never try its compiled parsers (it would probe `new Function`).
z.config({ jitless: true })

const root = document.getElementById('app')
if (root !== null) {
  // The loading note goes: render() appends beside what static HTML left in the root.
  root.replaceChildren()
  if (handOverCallback(location.search)) {
    render(<p>Signed in. You may close this window.</p>, root)
  } else {
    render(<App />, root)
  }
}
