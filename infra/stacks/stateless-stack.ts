import {
  Annotations,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  HttpApi,
  HttpMethod,
  type HttpRoute,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  ClientAttributes,
  type IUserPool,
  OAuthScope,
  UserPoolClient,
  UserPoolClientIdentityProvider,
} from 'aws-cdk-lib/aws-cognito';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { PREFIX } from '../../functions/adapters/table-keys';
import {
  ConsentFunction,
  FUNCTION_LOG_RETENTION,
  type MailSenderRef,
  QueueFailureDestination,
  type RuntimeFolder,
} from '../constructs/consent-function';
import { OperationsAlarms } from '../constructs/operations-alarms';
import { sealCertificateEnvironment, sealEnvironment, sharedEnvironment } from '../function-env';
import { type RouteDef, routes, STAGE_THROTTLE, throttleOf, workers } from '../routes';
import { MAILER_STREAM_FILTERS } from '../stream-filter';
import { SEAL_SIGNING, sealSignerRoleName } from './seal';
import type { DeploySettings } from './settings';

/**
 * What a route's handler reads from disk at run time, as the route table declares it (`needs`): the PDF
 * renderers read fonts (FONT_DIR, functions/documents/pdf/fonts.ts), the assets handler serves the page
 * assets (ASSET_DIR, functions/handlers/assets.ts). Everything else travels inside the esbuild bundle.
 */
export function runtimeFoldersOf(route: RouteDef): RuntimeFolder[] {
  const folders: RuntimeFolder[] = [];
  if (route.needs?.fonts) folders.push({ from: 'templates/fonts', to: 'fonts', env: 'fontDir' });
  if (route.needs?.pageAssets) {
    folders.push({ from: 'templates/pages/assets', to: 'assets', env: 'assetDir' });
  }
  return folders;
}

/** Default stage throttling: far above a clinic's traffic, low enough to blunt a flood (429 `throttled`). */
export const API_THROTTLE = STAGE_THROTTLE;

/**
 * The stage's per-route throttles (AWS::ApiGatewayV2::Stage RouteSettings, keyed "METHOD /path"), from the
 * route table: each route its own bucket, so a flood of one route cannot starve another (infra/routes.ts).
 */
export function routeThrottleSettings(
  deployed: readonly RouteDef[],
): Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> {
  return Object.fromEntries(
    deployed.map((route) => {
      const t = throttleOf(route);
      return [
        `${route.method} ${route.path}`,
        { ThrottlingRateLimit: t.rateLimit, ThrottlingBurstLimit: t.burstLimit },
      ];
    }),
  );
}

/** Outbox items: sort key `MAIL#<consentId>#<kind>` (functions/adapters/table-keys.ts); the mailer wakes for nothing else. */
export const OUTBOX_SK_PREFIX = PREFIX.mail;

export interface StatelessStackProps extends StackProps {
  settings: DeploySettings;
  table: ITableV2;
  userPool: IUserPool;
  staffIssuer: string;
  /** Hosted UI base URL (https://<prefix>.auth.<region>.amazoncognito.com). */
  signInBaseUrl: string;
  sender: MailSenderRef;
  notifications: ITopic;
  notificationsDeadLetters: IQueue;
  backupVaultName: string;
  /** The asymmetric KMS key that seals final PDFs (stateful stack). */
  sealKey: IKey;
}

export { SEAL_SIGNING } from './seal';

/**
 * The code and its wiring, safe to destroy and redeploy at any time: one Lambda per route of the route
 * table behind an HTTP API, the staff app client and JWT authorizer, the stream mailer and the outbox
 * sweeper with their failure queue, and the alarms.
 */
export class StatelessStack extends Stack {
  readonly api: HttpApi;
  readonly functions = new Map<string, ConsentFunction>();
  readonly mailer: ConsentFunction;
  readonly mailSweeper: ConsentFunction;
  readonly mailFailures: Queue;
  readonly dashboardClient: UserPoolClient;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { settings, table } = props;

    // One key for this stack's operational data: function and access logs, the mail failure queue.
    const opsKey = new Key(this, 'OperationsKey', {
      description: 'Encrypts Lambda and API access logs and the mail failure queue',
      enableKeyRotation: true,
    });
    opsKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowCloudWatchLogsOfThisAccount',
        principals: [new ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        // The action set AWS documents for CloudWatch Logs, held to this account's log groups.
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${this.region}:${this.account}:log-group:*`,
          },
        },
      }),
    );
    opsKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowEventBridgeDeadLetters',
        principals: [new ServicePrincipal('events.amazonaws.com')],
        // The queue policy admits only the sweep schedule rule; the key follows AWS's documented statement.
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: ['*'],
      }),
    );

    // ---------------------------------------------------------------- HTTP API
    this.api = new HttpApi(this, 'Api', {
      apiName: `${settings.appName}-api`,
      description: 'Patient intake, clinic dashboard and PDF verification',
      createDefaultStage: false,
    });
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: FUNCTION_LOG_RETENTION,
      encryptionKey: opsKey,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      autoDeploy: true,
      throttle: API_THROTTLE,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // The route key, never the raw path: patient paths carry the link token, a bearer secret.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            staffSub: '$context.authorizer.claims.sub',
          }),
        ),
      },
    });
    // The L2 stage has only the stage-wide throttle; route settings are set on the CloudFormation resource.
    (stage.node.defaultChild as CfnStage).routeSettings = routeThrottleSettings(
      routes.filter((r) => !r.localOnly),
    );
    // The API's own URL. An attribute of the API, not of the stage: the functions can carry it in their
    // environment without a dependency cycle (stage → routes → integrations → functions).
    const appUrl = this.api.apiEndpoint;
    const dashboardUrl = `${appUrl}/clinic`;

    // ---------------------------------------------------------------- staff sign-in client + authorizer
    this.dashboardClient = new UserPoolClient(this, 'DashboardClient', {
      userPool: props.userPool,
      userPoolClientName: `${settings.appName}-dashboard`,
      // A browser app: no secret. No API sign-in flows either: staff sign in through the hosted UI only,
      // where MFA is enforced, and its tokens lack the aws.cognito.signin.user.admin scope.
      generateSecret: false,
      authFlows: { userSrp: false },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [dashboardUrl],
        logoutUrls: [dashboardUrl],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
        .withCustomAttributes('clinicId', 'licence'),
      // Never custom:clinicId or custom:licence: a user who could write them could cross tenants.
      writeAttributes: new ClientAttributes().withStandardAttributes({ email: true, fullname: true }),
      enableTokenRevocation: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      // About a clinic shift; after that, sign in again (with MFA).
      refreshTokenValidity: Duration.hours(12),
    });
    const staffAuthorizer = new HttpJwtAuthorizer('StaffJwt', props.staffIssuer, {
      authorizerName: 'staff-jwt',
      jwtAudience: [this.dashboardClient.userPoolClientId],
      identitySource: ['$request.header.Authorization'],
    });

    // ---------------------------------------------------------------- functions
    // The archive mailbox is part of each clinic's profile in the table, not an environment value.
    const environment = sharedEnvironment({
      appUrl,
      mailFrom: `${settings.senderName} <${settings.senderEmail}>`,
      linkTtlDays: settings.linkTtlDays,
      jwt: {
        issuer: props.staffIssuer,
        audience: this.dashboardClient.userPoolClientId,
        jwksUrl: `${props.staffIssuer}/.well-known/jwks.json`,
      },
      staffSignIn: { cognitoDomain: props.signInBaseUrl, clientId: this.dashboardClient.userPoolClientId },
      serviceName: settings.appName,
    });

    for (const route of routes) {
      if (route.localOnly) continue; // e.g. POST /local/login: served by the local stack only, never routed.
      const fn = new ConsentFunction(this, pascal(route.id), {
        entry: route.entry,
        description: `${route.method} ${route.path}`,
        memoryMb: route.memoryMb,
        timeoutSeconds: route.timeoutSeconds,
        environment,
        logsKey: opsKey,
        runtimeFolders: runtimeFoldersOf(route),
        // The seal key's policy names this role by its ARN (infra/stacks/seal.ts).
        ...(route.needs?.seal === 'sign' ? { roleName: sealSignerRoleName(settings.appName) } : {}),
      }).useTable(table, route.access.table);
      if (route.needs?.seal === 'sign') this.allowSealing(fn, props);
      if (route.needs?.seal === 'verify' && props.settings.sealMode !== 'off')
        fn.addEnvironments(sealCertificateEnvironment(props.settings.sealCertificate));
      acknowledgeSynchronous(fn, 'API Gateway');
      this.functions.set(route.id, fn);

      const [httpRoute] = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${pascal(route.id)}Integration`, fn),
        authorizer: route.auth === 'staff' ? staffAuthorizer : undefined,
      });
      if (route.auth !== 'staff' && httpRoute) acknowledgeOpenRoute(httpRoute, route);
      // CloudFormation refuses route settings for a route key that does not exist yet: routes first.
      if (httpRoute) stage.node.addDependency(httpRoute);
    }

    // ---------------------------------------------------------------- mail: stream mailer + outbox sweeper
    this.mailFailures = new Queue(this, 'MailFailures', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: opsKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.mailFailures).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'This queue is itself the dead-letter queue of the mailer stream (on-failure destination), the sweeper and its schedule; a redrive policy would only chain another one.',
    });

    this.mailer = new ConsentFunction(this, 'Mailer', {
      entry: workers.mailer.entry,
      description: 'Sends outbox e-mails (MAIL# items) from the table stream',
      memoryMb: workers.mailer.memoryMb,
      timeoutSeconds: workers.mailer.timeoutSeconds,
      environment,
      logsKey: opsKey,
    })
      .useTable(table, 'write')
      .allowSendEmail(props.sender);
    this.mailer.addEventSource(
      new DynamoEventSource(table, {
        // From the oldest record kept: nothing written before the mapping existed is skipped.
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 10,
        bisectBatchOnError: true,
        retryAttempts: 10,
        maxRecordAge: Duration.hours(6),
        reportBatchItemFailures: true,
        onFailure: new QueueFailureDestination(this.mailFailures),
        // Only outbox items that just became pending and are not leased (infra/stream-filter.ts, which the
        // local stream poller applies too): the mailer is not woken for the steps of a delivery under way.
        filters: MAILER_STREAM_FILTERS.map((pattern) => FilterCriteria.filter(pattern)),
      }),
    );
    acknowledgeSynchronous(this.mailer, 'its DynamoDB stream event source mapping');

    this.mailSweeper = new ConsentFunction(this, 'MailSweeper', {
      entry: workers.mailSweeper.entry,
      description: 'Every 15 minutes: re-sends outbox e-mails still pending (pendingMail index)',
      memoryMb: workers.mailSweeper.memoryMb,
      timeoutSeconds: workers.mailSweeper.timeoutSeconds,
      environment,
      logsKey: opsKey,
      deadLetterQueue: this.mailFailures,
    })
      .useTable(table, 'write')
      .allowSendEmail(props.sender);
    new Rule(this, 'MailSweepSchedule', {
      description: 'Re-sends outbox e-mails the stream mailer has not delivered',
      schedule: Schedule.rate(Duration.minutes(15)),
      targets: [
        new LambdaFunction(this.mailSweeper, {
          deadLetterQueue: this.mailFailures,
          retryAttempts: 2,
          // The next run starts anyway; an older invocation has nothing left to add.
          maxEventAge: Duration.minutes(14),
        }),
      ],
    });

    // ---------------------------------------------------------------- alarms
    new OperationsAlarms(this, 'Alarms', {
      topic: props.notifications,
      metricNamespace: `${settings.appName}`,
      api: this.api,
      accessLogs,
      table,
      mailFunctions: [this.mailer, this.mailSweeper],
      deadLetterQueues: {
        MailFailures: this.mailFailures,
        NotificationsDeadLetters: props.notificationsDeadLetters,
      },
      backupVaultName: props.backupVaultName,
    });

    // ---------------------------------------------------------------- outputs
    new CfnOutput(this, 'AppUrl', { value: appUrl, description: 'Base URL of the API and pages (APP_URL)' });
    new CfnOutput(this, 'DashboardUrl', {
      value: dashboardUrl,
      description: 'Clinic dashboard (staff sign-in)',
    });
    new CfnOutput(this, 'DashboardClientId', { value: this.dashboardClient.userPoolClientId });
    new CfnOutput(this, 'MailFailureQueueUrl', { value: this.mailFailures.queueUrl });
  }

  /**
   * The seal of final PDFs: SEAL_MODE and, for `kms`, the key and its certificate, with `kms:Sign` on that
   * key only, only for digests, only with PKCS#1 v1.5 SHA-256. Without a certificate yet (first deploy,
   * docs/deploy.md) the function refuses to start rather than issue unsealed PDFs; synth says so.
   */
  private allowSealing(fn: ConsentFunction, props: StatelessStackProps): void {
    const { settings, sealKey } = props;
    if (settings.sealMode === 'off') {
      fn.addEnvironments(sealEnvironment({ mode: 'off' }));
      Annotations.of(fn).addInfo(
        'sealMode is off: countersigned PDFs are issued without a digital seal (the /verify hash check still works).',
      );
      return;
    }
    fn.addEnvironments(
      sealEnvironment({ mode: 'kms', keyId: sealKey.keyArn, certificatePem: settings.sealCertificate }),
    );
    if (!settings.sealCertificate) {
      // Info, not a warning: the first deploy (key not yet created) has no certificate by design.
      Annotations.of(fn).addInfo(
        'Context "sealCertificate" is not set: the countersign function will not start until the seal key has a certificate (docs/deploy.md, "The PDF seal").',
      );
    }
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: [SEAL_SIGNING.action],
        resources: [sealKey.keyArn],
        conditions: {
          StringEquals: {
            'kms:MessageType': SEAL_SIGNING.messageType,
            'kms:SigningAlgorithm': SEAL_SIGNING.algorithm,
          },
        },
      }),
    );
  }
}

/** `consent-countersign` → `ConsentCountersign` (construct ids and function names read better). */
function pascal(id: string): string {
  return id
    .split(/[^a-zA-Z0-9]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** Synchronously invoked functions have no asynchronous-invocation DLQ to configure. */
function acknowledgeSynchronous(fn: ConsentFunction, invoker: string): void {
  const reason = `Invoked synchronously by ${invoker}, never asynchronously: a Lambda DLQ only captures failed asynchronous invocations. Failures return to the caller${invoker.startsWith('API') ? ' as an error response' : ' and end in the on-failure queue'}.`;
  Validations.of(fn).acknowledge(
    { id: 'HIPAA.Security-LambdaDLQ', reason },
    { id: 'Serverless-LambdaDLQ', reason },
  );
}

/** Patient and public routes are open by design (API.md); say why on the route itself. */
function acknowledgeOpenRoute(route: HttpRoute, def: RouteDef): void {
  const reason =
    def.auth === 'link'
      ? `${def.method} ${def.path} is authorised in the handler by the intake-link token in the path: a random value of at least 128 bits, stored only as a hash, with expiry and revocation (API.md). Patients have no accounts.`
      : `${def.method} ${def.path} is public by design (API.md): ${def.path === '/verify' ? 'anyone holding a consent PDF may check it against the archive; the answer reveals nothing beyond validity and status' : 'it serves static pages/assets with no data; staff data loads through the JWT-protected /clinic/* routes'}.`;
  Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason });
}
