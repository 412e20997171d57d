import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  ApplicationLogLevel,
  Architecture,
  type DlqDestinationConfig,
  type IEventSourceDlq,
  type IEventSourceMapping,
  type IFunction,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { folderEnvironment, mailEnvironment, type RuntimeFolders, tableEnvironment } from '../function-env';
import { tableDefinition } from '../table';
import { ManagedPolicyRole } from './managed-policy-role';

/** Repository root: route entries and templates/fonts are relative to it. */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Where the Lambda package is unpacked: folders copied into the bundle appear under it. */
export const LAMBDA_TASK_ROOT = '/var/task';

/**
 * A repository folder a handler reads from disk at run time (esbuild bundles code and imported JSON,
 * not fonts or static assets). It is copied into the bundle and its path given in an env variable.
 */
export interface RuntimeFolder {
  /** Folder relative to the repository root, e.g. `templates/fonts`. */
  from: string;
  /** Folder name inside the bundle, e.g. `fonts` (→ /var/task/fonts). */
  to: string;
  /** Which setting tells the handler where it is (infra/function-env.ts): `fontDir` → FONT_DIR. */
  env: keyof RuntimeFolders;
}

/**
 * Function logs: one year. They carry request ids, timings and error codes — never patient data (see
 * ARCHITECTURE.md) — and serve incident investigation, for which a year covers the annual security review.
 * The clinical audit trail itself is not in logs: it lives in the table, under PITR and a 25-year backup.
 */
export const FUNCTION_LOG_RETENTION = RetentionDays.ONE_YEAR;

/**
 * The runtime every function runs on. Node.js 22 rather than the newest: the dependency set is pinned
 * and tested for it (DEPENDENCIES.md: middy 6, vitest 4, the Node 20/22 line), and AWS supports it until 2027.
 */
const RUNTIME = Runtime.NODEJS_22_X;

/** ESM bundles still meet CommonJS dependencies that call `require`; this gives them one. */
const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

export type TableAccess = 'read' | 'write' | 'none';

/** The table actions each access level allows: no Scan, no DeleteItem, no wildcards. */
export const TABLE_ACTIONS: Record<Exclude<TableAccess, 'none'>, readonly string[]> = {
  read: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'],
  write: [
    'dynamodb:GetItem',
    'dynamodb:Query',
    'dynamodb:BatchGetItem',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:TransactWriteItems',
    'dynamodb:ConditionCheckItem',
  ],
};

/** KMS actions on the table's key that DynamoDB performs on the caller's behalf. */
export const TABLE_KEY_ACTIONS: Record<Exclude<TableAccess, 'none'>, readonly string[]> = {
  read: ['kms:Decrypt', 'kms:DescribeKey'],
  write: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
};

/** What a function needs to send e-mail: the verified identity and the configuration set. */
export interface MailSenderRef {
  /** ARN of the SES identity (address or domain) mail is sent as. */
  identityArn: string;
  configurationSetName: string;
  configurationSetArn: string;
  /** The bare sender address (for the `ses:FromAddress` condition). */
  fromAddress: string;
}

export interface ConsentFunctionProps {
  /** Handler module, relative to the repository root (as in infra/routes.ts). */
  entry: string;
  description: string;
  memoryMb: number;
  timeoutSeconds: number;
  /** Configuration every function reads at cold start (functions/config.ts). */
  environment: Record<string, string>;
  /** Customer-managed key for the function's log group. */
  logsKey: IKey;
  /** Folders copied into the bundle (fonts for the PDF renderers, page assets), no node_modules. */
  runtimeFolders?: readonly RuntimeFolder[];
  /** Failed asynchronous invocations go here (only for asynchronously invoked functions). */
  deadLetterQueue?: IQueue;
  /** A fixed name for the execution role, when a policy elsewhere must name it (the seal key's). */
  roleName?: string;
}

/**
 * One Lambda function of the product, with the defaults every function shares (runtime, architecture,
 * ESM bundle with source maps, JSON logs into its own encrypted log group with retention, no X-Ray), and
 * methods that bind an environment variable and the IAM grant it implies in one call, so a function can
 * never know a resource's name without the permission to use it, or hold a permission it has no name for.
 */
export class ConsentFunction extends NodejsFunction {
  /** The function's own log group (encrypted, with retention). */
  readonly logs: LogGroup;
  readonly executionRole: ManagedPolicyRole;

  constructor(scope: Construct, id: string, props: ConsentFunctionProps) {
    const logGroup = new LogGroup(scope, `${id}Logs`, {
      retention: FUNCTION_LOG_RETENTION,
      encryptionKey: props.logsKey,
      // Logs outlive the function: they may be needed to investigate an incident after a redeploy.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const role = new ManagedPolicyRole(scope, `${id}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.entry}`,
      ...(props.roleName ? { roleName: props.roleName } : {}),
      policyDescription: `Least-privilege permissions of ${props.entry}`,
    });
    // Written by the function into its own log group only (the group exists, so no CreateLogGroup).
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );

    const environment: Record<string, string> = {
      ...props.environment,
      NODE_OPTIONS: '--enable-source-maps',
    };
    const folders = props.runtimeFolders ?? [];
    for (const folder of folders) {
      if (!/^[a-z0-9][a-z0-9/_-]*$/i.test(folder.from) || !/^[a-z0-9_-]+$/i.test(folder.to)) {
        throw new Error(`Runtime folder names must be plain relative paths: ${folder.from} → ${folder.to}`);
      }
      Object.assign(environment, folderEnvironment({ [folder.env]: `${LAMBDA_TASK_ROOT}/${folder.to}` }));
    }

    super(scope, id, {
      entry: path.join(REPO_ROOT, props.entry),
      handler: 'handler',
      description: props.description,
      runtime: RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memoryMb,
      timeout: Duration.seconds(props.timeoutSeconds),
      role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.WARN,
      // No active tracing: X-Ray was ~16 % of a consent's cost for a single-hop trace the access log and the
      // EMF metrics already cover (docs/design.md, "Observability"). It also needs `xray:*` on Resource `*`.
      tracing: Tracing.DISABLED,
      environment,
      deadLetterQueue: props.deadLetterQueue,
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      bundling: {
        forceDockerBundling: false,
        // Quiet synth: esbuild speaks up only for warnings and errors.
        logLevel: LogLevel.WARNING,
        format: OutputFormat.ESM,
        target: 'node22',
        mainFields: ['module', 'main'],
        banner: ESM_REQUIRE_BANNER,
        minify: true,
        sourceMap: true,
        sourceMapMode: SourceMapMode.DEFAULT,
        sourcesContent: false,
        // Arabic text stays readable UTF-8 in the bundle (the `charset` prop is not passed on by this CDK).
        esbuildArgs: { '--charset': 'utf8' },
        // Ship the SDK versions the tests ran against, not whatever the runtime image carries today.
        bundleAwsSDK: true,
        commandHooks: {
          beforeBundling: () => [],
          beforeInstall: () => [],
          afterBundling: (inputDir: string, outputDir: string) =>
            folders.flatMap((f) => [
              `mkdir -p "${outputDir}/${f.to}"`,
              `cp -R "${inputDir}/${f.from}/." "${outputDir}/${f.to}/"`,
            ]),
        },
      },
    });
    this.logs = logGroup;
    this.executionRole = role;

    if (props.deadLetterQueue) this.allowSendMessages(props.deadLetterQueue);

    // --- cdk-nag acknowledgements that hold for every function (each scoped to this function) ---
    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions-L1',
        reason:
          'Node.js 22 is pinned on purpose: the dependency set is tested on it (DEPENDENCIES.md) and it is supported by Lambda until 2027; moving runtimes is a tested change, not a default.',
      },
      {
        id: 'Serverless-LambdaLatestVersion',
        reason:
          'Node.js 22 is pinned on purpose: the dependency set is tested on it (DEPENDENCIES.md) and it is supported by Lambda until 2027.',
      },
      {
        id: 'HIPAA.Security-LambdaConcurrency',
        reason:
          'No reserved concurrency: new accounts can have a concurrency quota of 10 and Lambda keeps 10 unreserved, so reserving any would fail the deployment. API stage throttling and the stream batch size bound the load instead.',
      },
      {
        id: 'HIPAA.Security-LambdaInsideVPC',
        reason:
          'The function reaches only AWS regional endpoints (DynamoDB, SES, KMS, Cognito JWKS) over TLS with IAM authentication and holds no network-reachable resource; a VPC would add NAT or interface endpoints without reducing exposure.',
      },
      {
        id: 'Serverless-LambdaTracing',
        reason:
          'Active X-Ray tracing is off on purpose (docs/design.md, Observability): it was about 16 % of the cost of a consent for a one-hop trace that the JSON access log (route, status, duration, correlation id) and the EMF business metrics already cover.',
      },
    );
  }

  /**
   * Binds TABLE_NAME and grants the table actions of `access` ('read' or 'write') on the table and its
   * indexes, with the key actions DynamoDB needs for a customer-managed key. 'none' binds the name only:
   * functions/config.ts validates every variable at cold start, also in functions that never query.
   */
  useTable(table: ITableV2, access: TableAccess): this {
    this.addEnvironments(tableEnvironment(table.tableName));
    if (access === 'none') return this;
    this.addToRolePolicy(
      new PolicyStatement({
        actions: [...TABLE_ACTIONS[access]],
        // Indexes named one by one from the shared table definition: no `index/*` wildcard.
        resources: [
          table.tableArn,
          ...tableDefinition.indexes.map((ix) => `${table.tableArn}/index/${ix.name}`),
        ],
      }),
    );
    if (table.encryptionKey) {
      this.addToRolePolicy(
        new PolicyStatement({
          actions: [...TABLE_KEY_ACTIONS[access]],
          resources: [table.encryptionKey.keyArn],
        }),
      );
    }
    return this;
  }

  /**
   * Binds SES_CONFIGURATION_SET and allows ses:SendEmail / ses:SendRawEmail, only as the clinic's sender
   * identity, only through its configuration set (TLS required, bounce events recorded), and only with
   * the configured From address.
   */
  allowSendEmail(sender: MailSenderRef): this {
    this.addEnvironments(mailEnvironment(sender.configurationSetName));
    this.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail', 'ses:SendRawEmail'],
        resources: [sender.identityArn, sender.configurationSetArn],
        conditions: { StringEquals: { 'ses:FromAddress': sender.fromAddress } },
      }),
    );
    return this;
  }

  /** Sets several variables at once (built by infra/function-env.ts). */
  addEnvironments(env: Record<string, string>): this {
    for (const [name, value] of Object.entries(env)) this.addEnvironment(name, value);
    return this;
  }

  /**
   * Allows sending to an SQS queue (a failure destination), with exactly the key actions SQS needs for a
   * customer-managed key. CDK's `grantSendMessages` would add `kms:GenerateDataKey*` and `kms:ReEncrypt*`.
   */
  allowSendMessages(queue: IQueue): this {
    for (const statement of sendMessageStatements(queue)) this.addToRolePolicy(statement);
    return this;
  }
}

function sendMessageStatements(queue: IQueue): PolicyStatement[] {
  const statements = [new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] })];
  if (queue.encryptionMasterKey) {
    statements.push(
      new PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [queue.encryptionMasterKey.keyArn],
      }),
    );
  }
  return statements;
}

/**
 * On-failure destination of a stream event source: an SQS queue, granted with exact actions (the stock
 * `SqsDlq` grants `kms:GenerateDataKey*` / `kms:ReEncrypt*` wildcards on a customer-managed key).
 */
export class QueueFailureDestination implements IEventSourceDlq {
  constructor(private readonly queue: IQueue) {}

  bind(_target: IEventSourceMapping, targetHandler: IFunction): DlqDestinationConfig {
    for (const statement of sendMessageStatements(this.queue)) targetHandler.addToRolePolicy(statement);
    return { destination: this.queue.queueArn };
  }
}
