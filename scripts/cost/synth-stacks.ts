import { tollgateApp } from '../../infra/tollgate-app.js'
import { MODELLED_STACKS } from './render.js'
import type { CfnTemplate } from './template-facts.js'

/**
 * Synthesizes the stacks the model covers, as `cdk synth` does (cdk-nag
 * included), into one output directory so each handler is bundled once.
 */
export const synthModelledStacks = (
  outdir: string,
  context: Record<string, unknown> = {},
): CfnTemplate[] =>
  MODELLED_STACKS.map(({ keySource, jwtAlg }) => {
    const { app, stack } = tollgateApp({
      outdir,
      context,
      tollgate: { keySource, jwtAlg },
      stackName: `Tollgate-${keySource}-${jwtAlg}`,
    })
    return app.synth().getStackByName(stack.stackName).template as CfnTemplate
  })
