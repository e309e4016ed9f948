import { Logger } from '@aws-lambda-powertools/logger'
import { SERVICE_NAME, useLogger } from './observability.js'

/**
 * The Logger of every function but the authorizer, built at init and
 * registered as the one behind `logger` (./observability.js): Powertools'
 * middleware (handlers/http-middleware.ts) needs the instance, and their
 * lines are written as they are logged, key management's included.
 *
 * @example
 * middy().use(injectLambdaContext(powertoolsLogger, { resetKeys: true, logEvent: false }))
 */
export const powertoolsLogger = useLogger(new Logger({ serviceName: SERVICE_NAME }))
