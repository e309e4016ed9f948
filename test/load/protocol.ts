/** What the load driver asks the forked server (test/load/server.ts). */
export type ServerRequest =
  | { readonly kind: 'rss'; readonly id: number }
  | { readonly kind: 'stop' }

/** What the forked server tells the load driver. */
export type ServerMessage =
  | {
      readonly kind: 'ready'
      readonly url: string
      readonly adminToken: string
      /** Distinct valid JWTs of the admin, signed by the server's key (see scenarios.ts). */
      readonly jwts: readonly string[]
    }
  | { readonly kind: 'rss'; readonly id: number; readonly bytes: number }
  | { readonly kind: 'failed'; readonly message: string }
