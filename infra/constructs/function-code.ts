import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { AssetHashType, type BundlingOptions, type ILocalBundling } from 'aws-cdk-lib'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import { bundleSync, lambdaHandlerOf, REPO_ROOT } from '../bundling.js'

/** A function's code as `TollgateFunction` deploys it. */
export interface FunctionCode {
  readonly code: lambda.Code
  /** The Lambda handler setting. */
  readonly handler: string
  /** What the code needs set to run as built (`NODE_OPTIONS` for source maps). */
  readonly environment: Readonly<Record<string, string>>
}

/**
 * The repository's own synth: the entry bundled from source at synth, by the
 * local esbuild (never Docker) with the options in `infra/bundling.ts`,
 * source maps on. The package's constructs use `prebuilt-function-code.ts`
 * instead: `npm run build` puts that module in this one's place in
 * `dist/cdk/` (docs/packaging.md), so a user's synth needs neither esbuild
 * nor Tollgate's sources.
 *
 * @example
 * const { code, handler } = functionCode('functions/entries/jwks.ts')
 */
export const functionCode = (entry: string): FunctionCode => {
  if (!existsSync(join(REPO_ROOT, entry))) {
    throw new Error(`handler module ${entry} does not exist`)
  }
  return {
    code: lambda.Code.fromAsset(REPO_ROOT, {
      // Hash what is shipped, not the repository (which would mean node_modules too).
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        // Never used: local bundling either succeeds or throws.
        image: lambda.Runtime.NODEJS_24_X.bundlingImage,
        local: new EsbuildBundling(entry),
      },
    }),
    handler: lambdaHandlerOf(entry),
    environment: { NODE_OPTIONS: '--enable-source-maps' },
  }
}

/**
 * CDK's local bundling hook. Its data fields are part of CDK's asset cache
 * key, so two functions never share a bundle; it throws rather than returning
 * false, since false would make CDK fall back to Docker.
 */
class EsbuildBundling implements ILocalBundling {
  constructor(readonly entry: string) {}

  tryBundle(outputDir: string, _options: BundlingOptions): boolean {
    bundleSync({ entry: this.entry, outdir: outputDir })
    return true
  }
}
