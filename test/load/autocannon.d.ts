/** The part of autocannon 9's API that test/load uses (the package ships no types). */
declare module 'autocannon' {
  export interface Options {
    readonly url: string
    readonly connections?: number
    /** Seconds. */
    readonly duration?: number
    readonly method?: string
    readonly headers?: Readonly<Record<string, string>>
    readonly body?: string
    /** Seconds a request may take before it counts as a timeout (an error). */
    readonly timeout?: number
    /** Requests each connection makes in turn; `setupRequest` may change each one as it is sent. */
    readonly requests?: ReadonlyArray<{
      readonly setupRequest?: (request: RequestData) => RequestData
    }>
  }

  /** A request as autocannon builds it, before it is sent. */
  export interface RequestData {
    readonly method?: string
    readonly path?: string
    readonly headers?: Readonly<Record<string, string>>
    readonly body?: string
  }

  export interface Histogram {
    readonly average: number
    readonly mean: number
    readonly min: number
    readonly max: number
    readonly p50: number
    readonly p99: number
    readonly p99_9: number
  }

  export interface Result {
    /** Milliseconds. */
    readonly latency: Histogram
    /** Completed requests per one-second sample. */
    readonly requests: Histogram & { readonly total: number }
    readonly errors: number
    readonly timeouts: number
    readonly non2xx: number
    readonly '2xx': number
    readonly statusCodeStats: Readonly<Record<string, { readonly count: number }>>
    /** Seconds. */
    readonly duration: number
  }

  const autocannon: (options: Options) => Promise<Result>
  // biome-ignore lint/style/noDefaultExport: autocannon is a CommonJS function export.
  export default autocannon
}
