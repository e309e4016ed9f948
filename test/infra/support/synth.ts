import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
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

/**
 * CDK announces each local bundle on stderr ("Bundling asset Tollgate/…/Code/Stage..."):
 * progress for someone at a terminal, but a score of lines among the test results.
 */
const writeStderr = process.stderr.write.bind(process.stderr) as (
  chunk: unknown,
  ...rest: unknown[]
) => boolean
process.stderr.write = ((chunk: unknown, ...rest: unknown[]) =>
  typeof chunk === 'string' && chunk.startsWith('Bundling asset ')
    ? true
    : writeStderr(chunk, ...rest)) as typeof process.stderr.write

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

/** The handler modules that are not routed: the stack deploys each as its own function. */
export const UNROUTED_HANDLERS = ['authorizer', 'keys-init', 'key-rotation', 'bootstrap'] as const

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

/** What every function that reads the pepper is granted: the secret, and its key only through Secrets Manager. */
export const pepperStatements = (pepperSecret: IConstruct, pepperKey: IConstruct) => [
  {
    Sid: 'ReadPepper',
    Action: 'secretsmanager:GetSecretValue',
    Effect: 'Allow',
    Resource: refOf(pepperSecret),
  },
  {
    Sid: 'DecryptPepper',
    Action: 'kms:Decrypt',
    Effect: 'Allow',
    Resource: arnOf(pepperKey),
    Condition: VIA_SECRETS_MANAGER,
  },
]

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

/**
 * A synthesized value as CloudFormation would resolve it at deploy, with
 * plausible names and ARNs: Refs and GetAtts of the template's resources,
 * pseudo parameters, and Fn::Join.
 */
export const resolveIntrinsics = (template: Template, value: unknown): string => {
  const resources = resourcesOf(template)
  const resolve = (node: unknown): string => {
    if (typeof node === 'string') return node
    const intrinsic = node as Record<string, unknown>
    if ('Fn::Join' in intrinsic) {
      const [separator, parts] = intrinsic['Fn::Join'] as [string, unknown[]]
      return parts.map(resolve).join(separator)
    }
    if ('Ref' in intrinsic) {
      const id = String(intrinsic.Ref)
      const pseudo: Record<string, string> = {
        'AWS::Region': 'eu-west-1',
        'AWS::AccountId': '123456789012',
        'AWS::Partition': 'aws',
        'AWS::URLSuffix': 'amazonaws.com',
      }
      if (pseudo[id] !== undefined) return pseudo[id]
      const type = resources[id]?.Type
      if (type === 'AWS::SecretsManager::Secret') {
        return `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${id}-AbCdEf`
      }
      if (type === 'AWS::DynamoDB::Table') return `Tollgate-${id}-1A2B3C4D5E6F`
      return id
    }
    if ('Fn::GetAtt' in intrinsic) {
      const [id, attribute] = intrinsic['Fn::GetAtt'] as [string, string]
      if (attribute === 'ApiEndpoint') return 'https://abc123.execute-api.eu-west-1.amazonaws.com'
      if (resources[id]?.Type === 'AWS::KMS::Key') {
        return `arn:aws:kms:eu-west-1:123456789012:key/${id.toLowerCase().slice(0, 32)}`
      }
      return `arn:aws:lambda:eu-west-1:123456789012:function:${id}`
    }
    throw new Error(`cannot resolve ${JSON.stringify(node)}`)
  }
  return resolve(value)
}

/** Each Tollgate function's handler module and its environment as deployed, values resolved. */
export const deployedEnvironments = (template: Template) =>
  Object.entries(template.findResources('AWS::Lambda::Function'))
    .filter(([, fn]) => String(fn.Properties.Description).startsWith('Tollgate'))
    .map(([id, fn]) => ({
      id,
      module: String(fn.Properties.Handler).replace(/\.handler$/, ''),
      environment: Object.fromEntries(
        Object.entries(fn.Properties.Environment.Variables as Record<string, unknown>).map(
          ([name, value]) => [name, resolveIntrinsics(template, value)],
        ),
      ),
    }))
