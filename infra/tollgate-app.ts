import { App, type AppProps, Validations } from 'aws-cdk-lib'
import { AwsSolutionsChecks } from 'cdk-nag'
import { settingsFromContext } from './constructs/settings.js'
import type { TollgateProps } from './constructs/tollgate.js'
import { TollgateStack } from './tollgate-stack.js'

export interface TollgateAppOptions extends AppProps {
  /**
   * Construct props; else every setting from context, written as its
   * environment variable takes it (`-c tollgate:keySource=secrets-manager`,
   * `-c tollgate:trustedIssuers='[…]'`; docs/configuration.md).
   */
  readonly tollgate?: TollgateProps
  /** @default 'Tollgate' */
  readonly stackName?: string
}

/**
 * The CDK app `cdk synth` runs (infra/app.ts) and the tests synthesize: the
 * Tollgate stack with cdk-nag's AwsSolutions pack as a validation plugin,
 * so any finding that is not acknowledged, with a reason, fails synthesis.
 *
 * @example
 * const { app, stack } = tollgateApp({ outdir: 'cdk.out' })
 */
export const tollgateApp = (options: TollgateAppOptions = {}) => {
  const { tollgate, stackName = 'Tollgate', ...appProps } = options
  const app = new App(appProps)
  const stack = new TollgateStack(app, stackName, {
    description: 'Tollgate: serverless token exchange (access tokens in, short-lived JWTs out)',
    // Each context value passed its variable's rule, so it has its prop's type.
    tollgate:
      tollgate ?? (settingsFromContext((key) => app.node.tryGetContext(key)) as TollgateProps),
  })
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app))
  return { app, stack }
}
