import type { Metafile } from 'esbuild'
import { bundle, REPO_ROOT } from '../../infra/bundling.js'

export { REPO_ROOT }
export const AUTHORIZER_ENTRY = 'functions/entries/authorizer.ts'

/**
 * Bundles the authorizer exactly as the CDK stack ships it (the options live
 * in `infra/bundling.ts`: minified split ESM for Node 24 with a `createRequire`
 * banner), written to `outdir` as `authorizer.js` and its chunks.
 *
 * Only the source maps are left out, so that the bench's byte counts are the
 * code Node loads; the code itself differs from the deployed one by the
 * trailing `//# sourceMappingURL` comment alone.
 */
export const bundleAuthorizer = (outdir: string): Promise<Metafile> =>
  bundle({ entry: AUTHORIZER_ENTRY, outdir, sourcemap: false })
