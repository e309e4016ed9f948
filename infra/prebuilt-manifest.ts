/**
 * The index of the package's prebuilt function code (`dist/lambda/`,
 * docs/packaging.md): written by `bundleFunctions` at `npm run build`, read
 * by the constructs at a user's synth. Plain data, so the constructs read it
 * without esbuild.
 */
export interface PrebuiltManifest {
  /** By function name, the entry's file name: `jwks` for `functions/entries/jwks.ts`. */
  readonly functions: Readonly<Record<string, PrebuiltFunction>>
}

export interface PrebuiltFunction {
  /** The Lambda handler setting: `jwks/index.handler`. */
  readonly handler: string
  /**
   * Every file the function loads, relative to the prebuilt directory: its
   * entry and each chunk it reaches, `import()`ed ones included.
   */
  readonly files: readonly string[]
}

/** The manifest's name in the prebuilt directory. */
export const PREBUILT_MANIFEST = 'functions.json'

/** Makes the chunks' `.js` ES modules, as in any Lambda package of ours. */
export const PREBUILT_PACKAGE_JSON = 'package.json'
