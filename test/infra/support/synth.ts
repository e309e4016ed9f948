import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { type CfnElement, type Stack, Validations } from 'aws-cdk-lib'
import { Template } from 'aws-cdk-lib/assertions'
import type * as iam from 'aws-cdk-lib/aws-iam'
import { AwsSolutionsChecks } from 'cdk-nag'
import type { IConstruct } from 'constructs'
import { afterAll } from 'vitest'
import { REPO_ROOT } from '../../../infra/bundling.js'
import type { TollgateProps } from '../../../infra/constructs/tollgate.js'
import { tollgateApp } from '../../../infra/tollgate-app.js'

/** The feature flags `cdk synth` runs with, so tests synthesize what the CLI does. */
export const CDK_CONTEXT: Record<string, unknown> = JSON.parse(
  readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8'),
).context

/**
 * One cloud-assembly directory per test file: CDK caches a bundle per output
 * directory, so every app synthesized here bundles each handler only once.
 */
export const OUTDIR = mkdtempSync(join(tmpdir(), 'tollgate-cdk-'))
afterAll(() => rmSync(OUTDIR, { recursive: true, force: true }))

/**
 * Handler modules that exist on this branch. TEMPORARY: the management
 * handlers (service-accounts, access-tokens, openapi) and the key handlers
 * (keys-init, key-rotation) are being written on other branches. A test
 * checks this list against functions/handlers/, so it cannot go stale: when
 * a module lands, that test fails until its name is added here, and the
 * tests that are guarded by it then pin that function too.
 */
export const HANDLERS_ON_THIS_BRANCH: ReadonlySet<string> = new Set([
  'exchange-jwt',
  'jwks',
  'openid-configuration',
  'whoami',
  'service-accounts',
  'access-tokens',
  'openapi',
  'authorizer',
  'key-rotation',
  'keys-init',
])

/** Every handler module CONTRACT.md names for this stage of the project. */
export const CONTRACT_HANDLERS = [
  'exchange-jwt',
  'jwks',
  'openid-configuration',
  'whoami',
  'service-accounts',
  'access-tokens',
  'openapi',
  'authorizer',
  'key-rotation',
  'keys-init',
] as const

export const handlerModuleExists = (name: string): boolean =>
  existsSync(join(REPO_ROOT, 'functions', 'handlers', `${name}.ts`))

/** Synthesizes the app `cdk synth` runs (cdk-nag included) with these props. */
export const synthTollgate = (tollgate: TollgateProps = {}, stackName = 'Tollgate') => {
  const started = performance.now()
  const { app, stack } = tollgateApp({ outdir: OUTDIR, context: CDK_CONTEXT, tollgate, stackName })
  const template = Template.fromStack(stack)
  return { app, stack, template, synthMs: performance.now() - started }
}

/** cdk-nag's findings that nobody acknowledged (empty when synth passes). */
export const unacknowledgedFindings = (scope: IConstruct): string[] =>
  new AwsSolutionsChecks()
    .validateScope(scope)
    .violations.flatMap((violation) =>
      violation.violatingResources.map(
        (resource) => `${violation.ruleName} ${resource.constructPath}`,
      ),
    )

/** Every acknowledgement under `scope`: `{ path, id, reason }`. */
export const acknowledgements = (scope: IConstruct) =>
  scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, { reason?: string } | string>).map(
          ([id, value]) => ({
            path: construct.node.path,
            id: id.replace(/^annotation::/i, ''),
            reason: typeof value === 'string' ? value : (value.reason ?? ''),
          }),
        ),
      ),
  )

export const logicalId = (construct: IConstruct): string => {
  const element = (construct.node.defaultChild ?? construct) as CfnElement
  return element.stack.getLogicalId(element)
}

export const arnOf = (construct: IConstruct) => ({ 'Fn::GetAtt': [logicalId(construct), 'Arn'] })
export const refOf = (construct: IConstruct) => ({ Ref: logicalId(construct) })

/** The statements of the (one) policy attached to `role`, in order. */
export const statementsOfRole = (template: Template, stack: Stack, role: iam.IRole): unknown[] => {
  const roleId = logicalId(role)
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
    (policy.Properties.Roles as unknown[]).some(
      (ref) => JSON.stringify(ref) === JSON.stringify({ Ref: roleId }),
    ),
  )
  if (policies.length !== 1) {
    throw new Error(
      `${stack.stackName}: expected one policy on ${roleId}, found ${policies.length}`,
    )
  }
  return policies[0]?.Properties.PolicyDocument.Statement
}

/** X-Ray and the function's own log group: every Tollgate function starts with these two. */
export const baseStatements = (logGroup: IConstruct) => [
  {
    Action: ['xray:PutTelemetryRecords', 'xray:PutTraceSegments'],
    Effect: 'Allow',
    Resource: '*',
  },
  {
    Sid: 'WriteOwnLogs',
    Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
    Effect: 'Allow',
    Resource: arnOf(logGroup),
  },
]

/** `secretsmanager.<region>.amazonaws.com`, as the template spells it. */
export const VIA_SECRETS_MANAGER = {
  StringEquals: {
    'kms:ViaService': {
      'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']],
    },
  },
}

export const ACCOUNT_ROOT = {
  AWS: {
    'Fn::Join': [
      '',
      ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root'],
    ],
  },
}

/** A synthesized resource; its properties are CloudFormation JSON, read by shape in assertions. */
export interface CfnResourceJson {
  readonly Type: string
  // biome-ignore lint/suspicious/noExplicitAny: CloudFormation JSON, checked by toEqual/toMatchObject
  readonly Properties: Record<string, any>
  readonly DeletionPolicy?: string
}

export const resourcesOf = (template: Template): Record<string, CfnResourceJson> =>
  template.toJSON().Resources
