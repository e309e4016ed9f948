import { App, type AppProps, Validations } from 'aws-cdk-lib'
import { AwsSolutionsChecks } from 'cdk-nag'
import type { TollgateProps } from './constructs/tollgate.js'
import { TollgateStack } from './tollgate-stack.js'

export interface TollgateAppOptions extends AppProps {
  /** Construct props; the CLI reads them from context (`-c tollgate:keySource=secrets-manager`). */
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
    tollgate: tollgate ?? tollgatePropsFromContext(app),
  })
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app))
  return { app, stack }
}

const CHOICES = {
  keySource: ['kms', 'secrets-manager'],
  jwtAlg: ['RS256', 'ES256'],
} as const

/** `-c tollgate:keySource=…`, `-c tollgate:jwtAlg=…`, `-c tollgate:issuer=…`. */
const tollgatePropsFromContext = (app: App): TollgateProps => {
  const read = (name: string): string | undefined => {
    const value: unknown = app.node.tryGetContext(`tollgate:${name}`)
    if (value === undefined) return undefined
    if (typeof value !== 'string') throw new Error(`context tollgate:${name} must be a string`)
    const choices: readonly string[] | undefined = CHOICES[name as keyof typeof CHOICES]
    if (choices && !choices.includes(value)) {
      throw new Error(`context tollgate:${name} must be one of ${choices.join(', ')}`)
    }
    return value
  }
  return {
    keySource: read('keySource') as TollgateProps['keySource'],
    jwtAlg: read('jwtAlg') as TollgateProps['jwtAlg'],
    issuer: read('issuer'),
  }
}
