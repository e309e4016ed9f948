import type { Config } from '../core/config.js'
import {
  describeStore,
  runningServerStore,
  type StoreIdentity,
  sameStore,
  storeIdentity,
} from './store-identity.js'

export interface StoreCheck {
  readonly proceed: boolean
  /** For stderr; empty when there is nothing to say. */
  readonly message: string
  readonly store: StoreIdentity
}

/**
 * Whether `tollgate bootstrap` may mint into the store its config names. The
 * token is meant for the dev server on PORT; when one runs there on another
 * store (another DATA_DIR, table or DynamoDB), a token minted here would be
 * refused by it, silently, so bootstrap refuses, unless `force`. With no dev
 * server on PORT (nothing listening, or not Tollgate) it goes ahead: minting
 * before the first `npm start` is fine.
 */
export const checkBootstrapStore = async (
  config: Config,
  options: { readonly force: boolean },
): Promise<StoreCheck> => {
  const store = await storeIdentity(config)
  const server = await runningServerStore(config.port)
  if (server === undefined || sameStore(server, store)) return { proceed: true, message: '', store }
  const mismatch =
    `the dev server on port ${config.port} serves another store, and would refuse a token minted here.\n` +
    `  dev server: ${describeStore(server)}\n` +
    `  bootstrap:  ${describeStore(store)}\n`
  return options.force
    ? {
        proceed: true,
        message: `tollgate bootstrap: warning: ${mismatch}--force given: minting anyway.\n`,
        store,
      }
    : {
        proceed: false,
        message:
          `tollgate bootstrap: ${mismatch}` +
          `Run it with the dev server's settings, or add --force to mint into this store anyway.\n`,
        store,
      }
}
