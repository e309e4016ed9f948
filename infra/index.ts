/**
 * Constructs for your own CDK app (docs/deploy.md,
 * docs/authorizer.md#tollgateauthorizer-in-your-own-cdk-app).
 */
export type { TrustedIssuerEntry } from '../functions/core/trusted-issuers.js'
export { Tollgate, type TollgateProps } from './constructs/tollgate.js'
export {
  TollgateAuthorizer,
  type TollgateAuthorizerProps,
} from './constructs/tollgate-authorizer.js'
export { TollgateFunction, type TollgateFunctionProps } from './constructs/tollgate-function.js'
export {
  type ITollgateIssuer,
  type RemoteTollgateIssuerAttributes,
  remoteTollgateIssuer,
  type TollgateIssuerAttributes,
  tollgateIssuer,
} from './constructs/tollgate-issuer.js'
export { TollgateStack, type TollgateStackProps } from './tollgate-stack.js'
