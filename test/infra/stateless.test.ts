import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { mailItem } from '../../functions/adapters/dynamo-outbox';
import { ATTR, keys, PREFIX } from '../../functions/adapters/table-keys';
import { loadConfig } from '../../functions/config';
import type { OutboxMail } from '../../functions/workflow/ports';
import { FUNCTION_LOG_RETENTION } from '../../infra/constructs/consent-function';
import { routes, THROTTLE_BY_AUTH, throttleOf, workers } from '../../infra/routes';
import { API_THROTTLE } from '../../infra/stacks/stateless-stack';
import { MAILER_STREAM_FILTERS } from '../../infra/stream-filter';
import { asArray, defaultApp, identityPolicies, type Json, logicalId, resources } from './helpers';

const { stateless, stateful, statelessTemplate: template } = defaultApp();
const deployedRoutes = routes.filter((r) => !r.localOnly);
const functions = resources(template, 'AWS::Lambda::Function');
const outboxMail: OutboxMail = {
  clinicId: 'demo',
  consentId: '01J0000000000000000000000X',
  kind: 'invite',
  to: 'patient@example.test',
  locale: 'en',
  status: 'pending',
  attempts: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
  nextAttemptAt: '2026-01-01T00:00:00.000Z',
};
const fnProps = (id: string): Json => template.toJSON().Resources[id].Properties;

describe('functions', () => {
  it('deploys one function per non-local route, plus the mailer and the mail sweeper — and nothing else', () => {
    expect(functions).toHaveLength(deployedRoutes.length + 2);
    const ids = new Set(functions.map(([id]) => id));
    for (const route of deployedRoutes) {
      const fn = stateless.functions.get(route.id);
      expect(fn, route.id).toBeDefined();
      expect(ids.has(logicalId(fn as never)), route.id).toBe(true);
    }
    expect(ids.has(logicalId(stateless.mailer))).toBe(true);
    expect(ids.has(logicalId(stateless.mailSweeper))).toBe(true);
  });

  it('sizes each function from the route table', () => {
    for (const route of deployedRoutes) {
      const props = fnProps(logicalId(stateless.functions.get(route.id) as never));
      expect(props.MemorySize, route.id).toBe(route.memoryMb);
      expect(props.Timeout, route.id).toBe(route.timeoutSeconds);
    }
    expect(fnProps(logicalId(stateless.mailer)).Timeout).toBe(workers.mailer.timeoutSeconds);
    expect(fnProps(logicalId(stateless.mailSweeper)).Timeout).toBe(workers.mailSweeper.timeoutSeconds);
  });

  it('runs every function on Node.js 22, arm64, with JSON logs and without active tracing (docs/design.md)', () => {
    for (const [id, fn] of functions) {
      expect(fn.Properties.Runtime, id).toBe('nodejs22.x');
      expect(fn.Properties.Architectures, id).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig, id).toBeUndefined();
      expect(fn.Properties.LoggingConfig.LogFormat, id).toBe('JSON');
      expect(fn.Properties.Environment.Variables.NODE_OPTIONS, id).toBe('--enable-source-maps');
    }
  });

  it('gives every function its own encrypted log group with a retention', () => {
    const logGroups = new Map(resources(template, 'AWS::Logs::LogGroup'));
    const used = new Set<string>();
    for (const [id, fn] of functions) {
      const groupId = fn.Properties.LoggingConfig.LogGroup.Ref as string;
      expect(logGroups.has(groupId), id).toBe(true);
      expect(used.has(groupId), `${id} shares a log group`).toBe(false);
      used.add(groupId);
    }
    expect(logGroups.size).toBe(functions.length + 1); // + the API access log
    for (const [id, group] of logGroups) {
      expect(group.Properties.RetentionInDays, id).toBe(FUNCTION_LOG_RETENTION);
      expect(group.Properties.KmsKeyId, id).toBeDefined();
      expect(group.DeletionPolicy, id).toBe('Retain');
    }
  });

  it('sets every variable functions/config.ts requires, so no function fails at cold start', () => {
    for (const [id, fn] of functions) {
      const vars = fn.Properties.Environment.Variables as Record<string, unknown>;
      for (const name of [
        'TABLE_NAME',
        'APP_URL',
        'MAIL_FROM',
        'LINK_TTL_DAYS',
        'JWT_ISSUER',
        'JWT_AUDIENCE',
        'JWKS_URL',
      ]) {
        expect(vars[name], `${id}.${name}`).toBeDefined();
      }
      // Deploy-time values stand in for the intrinsics; config.ts must accept the rest as they are.
      const resolved = Object.fromEntries(
        Object.entries(vars).map(([k, v]) => [
          k,
          typeof v === 'string' ? v : 'https://resolved.example/value',
        ]),
      );
      expect(() => loadConfig(resolved), id).not.toThrow();
    }
  });

  it('points APP_URL at the API, JWT settings at the user pool and the dashboard client', () => {
    const vars = fnProps(logicalId(stateless.mailer)).Environment.Variables;
    expect(vars.APP_URL).toEqual({ 'Fn::GetAtt': [logicalId(stateless.api), 'ApiEndpoint'] });
    expect(vars.JWT_AUDIENCE).toEqual({ Ref: logicalId(stateless.dashboardClient) });
    expect(vars.COGNITO_CLIENT_ID).toEqual({ Ref: logicalId(stateless.dashboardClient) });
    expect(JSON.stringify(vars.COGNITO_DOMAIN)).toMatch(
      /^\{"Fn::Join":\["",\["https:\/\/",.*\.auth\.me-central-1\.amazoncognito\.com"\]\]\}$/,
    );
    expect(JSON.stringify(vars.JWT_ISSUER)).toMatch(/https:\/\/cognito-idp\.me-central-1\./);
    expect(JSON.stringify(vars.JWKS_URL)).toMatch(/\/\.well-known\/jwks\.json"\]\]\}$/);
    expect(vars.LINK_TTL_DAYS).toBe('7');
    expect(vars.MAIL_FROM).toBe('Clinic consents <consents@clinic.example>');
  });

  it('copies the fonts only into the PDF-rendering functions (FONT_DIR), the page assets into the assets one', () => {
    // As the route table declares it (needs.fonts, needs.pageAssets), not inferred from sizes or ids.
    expect(deployedRoutes.filter((r) => r.needs?.fonts).map((r) => r.id)).toEqual([
      'intake-signature',
      'consent-countersign',
    ]);
    expect(deployedRoutes.filter((r) => r.needs?.pageAssets).map((r) => r.id)).toEqual(['assets']);
    for (const route of deployedRoutes) {
      const fn = stateless.functions.get(route.id) as never;
      const vars = fnProps(logicalId(fn)).Environment.Variables;
      expect(vars.FONT_DIR, route.id).toBe(route.needs?.fonts ? '/var/task/fonts' : undefined);
      expect(vars.ASSET_DIR, route.id).toBe(route.needs?.pageAssets ? '/var/task/assets' : undefined);
    }
    for (const worker of [stateless.mailer, stateless.mailSweeper]) {
      const vars = fnProps(logicalId(worker)).Environment.Variables;
      expect([vars.FONT_DIR, vars.ASSET_DIR]).toEqual([undefined, undefined]);
    }
  });
});

describe('HTTP API', () => {
  const apiRoutes = resources(template, 'AWS::ApiGatewayV2::Route');

  it('routes every non-local route, each to its own function', () => {
    expect(apiRoutes).toHaveLength(deployedRoutes.length);
    for (const route of deployedRoutes) {
      const fnId = logicalId(stateless.functions.get(route.id) as never);
      const found = apiRoutes.find(([, r]) => r.Properties.RouteKey === `${route.method} ${route.path}`);
      expect(found, `${route.method} ${route.path}`).toBeDefined();
      const integrationId = (found as Json)[1].Properties.Target['Fn::Join'][1][1].Ref as string;
      const integration = template.toJSON().Resources[integrationId];
      expect(integration.Properties.IntegrationUri['Fn::GetAtt'][0], route.id).toBe(fnId);
      expect(integration.Properties.PayloadFormatVersion).toBe('2.0');
    }
  });

  it('puts the Cognito JWT authorizer on exactly the staff routes', () => {
    const [[authorizerId, authorizer]] = resources(template, 'AWS::ApiGatewayV2::Authorizer') as [
      [string, Json],
    ];
    expect(authorizer.Properties.AuthorizerType).toBe('JWT');
    expect(authorizer.Properties.JwtConfiguration.Audience).toEqual([
      { Ref: logicalId(stateless.dashboardClient) },
    ]);
    expect(JSON.stringify(authorizer.Properties.JwtConfiguration.Issuer)).toContain('https://cognito-idp.');
    expect(JSON.stringify(authorizer.Properties.JwtConfiguration.Issuer)).toContain(
      `ExportsOutputRef${logicalId(stateful.userPool)}`,
    );
    for (const route of deployedRoutes) {
      const [, r] = apiRoutes.find(([, x]) => x.Properties.RouteKey === `${route.method} ${route.path}`) as [
        string,
        Json,
      ];
      if (route.auth === 'staff') {
        expect(r.Properties.AuthorizationType, route.id).toBe('JWT');
        expect(r.Properties.AuthorizerId, route.id).toEqual({ Ref: authorizerId });
      } else {
        expect(r.Properties.AuthorizationType ?? 'NONE', route.id).toBe('NONE');
        expect(r.Properties.AuthorizerId, route.id).toBeUndefined();
      }
    }
  });

  it('never routes the local-only login', () => {
    const local = routes.filter((r) => r.localOnly);
    expect(local.map((r) => r.path)).toContain('/local/login');
    const keys = apiRoutes.map(([, r]) => r.Properties.RouteKey as string);
    for (const route of local) expect(keys).not.toContain(`${route.method} ${route.path}`);
    expect(JSON.stringify(template.toJSON())).not.toContain('/local/');
    expect(JSON.stringify(template.toJSON())).not.toContain('local-login');
  });

  it('logs access as JSON (route key, never the raw path with its link token) and throttles by default', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: API_THROTTLE.rateLimit,
        ThrottlingBurstLimit: API_THROTTLE.burstLimit,
      },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
    });
    const [[, stage]] = resources(template, 'AWS::ApiGatewayV2::Stage') as [[string, Json]];
    const format = JSON.parse(stage.Properties.AccessLogSettings.Format);
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      routeKey: '$context.routeKey',
      status: '$context.status',
    });
    expect(stage.Properties.AccessLogSettings.Format).not.toContain('$context.path');
  });

  it('gives every route its own throttle bucket (stage RouteSettings), anonymous ones never above staff', () => {
    const [[, stage]] = resources(template, 'AWS::ApiGatewayV2::Stage') as [[string, Json]];
    const settings = stage.Properties.RouteSettings as Record<string, Json>;
    expect(settings, 'RouteSettings').toBeDefined();
    // Exactly the routed keys: a setting for a missing route key fails the deployment.
    expect(Object.keys(settings).sort()).toEqual(deployedRoutes.map((r) => `${r.method} ${r.path}`).sort());
    for (const route of deployedRoutes) {
      const t = throttleOf(route);
      expect(settings[`${route.method} ${route.path}`], route.id).toEqual({
        ThrottlingRateLimit: t.rateLimit,
        ThrottlingBurstLimit: t.burstLimit,
      });
      expect(t.rateLimit, route.id).toBeLessThanOrEqual(API_THROTTLE.rateLimit);
      expect(t.burstLimit, route.id).toBeGreaterThanOrEqual(t.rateLimit);
      if (route.auth !== 'staff') {
        expect(t.rateLimit, route.id).toBeLessThanOrEqual(THROTTLE_BY_AUTH.staff.rateLimit);
      }
    }
    // Anonymous and patient routes never share the staff routes' buckets: each key is its own.
    const verify = settings['POST /verify'];
    expect(verify.ThrottlingRateLimit).toBe(Math.min(...deployedRoutes.map((r) => throttleOf(r).rateLimit)));
    // The stage waits for every route (CloudFormation refuses settings for a route key not yet created).
    const routeIds = apiRoutes.map(([id]) => id).sort();
    expect(
      asArray(stage.DependsOn)
        .filter((d: string) => routeIds.includes(d))
        .sort(),
    ).toEqual(routeIds);
  });

  it('signs staff in through the hosted UI to /clinic, with no user-writable tenant attribute', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
      CallbackURLs: [
        { 'Fn::Join': ['', [{ 'Fn::GetAtt': [logicalId(stateless.api), 'ApiEndpoint'] }, '/clinic']] },
      ],
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
    });
    const [[, client]] = resources(template, 'AWS::Cognito::UserPoolClient') as [[string, Json]];
    expect(client.Properties.WriteAttributes.some((a: string) => a.startsWith('custom:'))).toBe(false);
    expect(client.Properties.ReadAttributes).toEqual(
      expect.arrayContaining(['custom:clinicId', 'custom:licence']),
    );
  });
});

describe('mailer and outbox sweeper', () => {
  const failuresId = logicalId(stateless.mailFailures);

  it('feeds the mailer from the table stream, only MAIL# items, with bounded retries and an on-failure queue', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stateless.mailer) },
      EventSourceArn: { 'Fn::ImportValue': Match.stringLikeRegexp('StreamArn') },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 10,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 6 * 3600,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [failuresId, 'Arn'] } } },
    });
    const [[, mapping]] = resources(template, 'AWS::Lambda::EventSourceMapping') as [[string, Json]];
    const patterns = mapping.Properties.FilterCriteria.Filters.map((f: Json) => JSON.parse(f.Pattern));
    // Only outbox items just become pending and not leased (issue 16): never the lease, the sent mark or a
    // recorded failure. The same patterns the local stream poller applies (infra/stream-filter.ts).
    const deliverable = {
      entity: { S: ['mail'] },
      status: { S: ['pending'] },
      leaseUntil: { S: [{ exists: false }] },
    };
    const mailKeys = { Keys: { sk: { S: [{ prefix: 'MAIL#' }] } } };
    expect(patterns).toEqual([
      { eventName: ['INSERT'], dynamodb: { ...mailKeys, NewImage: deliverable } },
      {
        eventName: ['MODIFY'],
        dynamodb: {
          ...mailKeys,
          NewImage: deliverable,
          OldImage: { status: { S: [{ 'anything-but': ['pending'] }] } },
        },
      },
    ]);
    expect(patterns).toEqual(JSON.parse(JSON.stringify(MAILER_STREAM_FILTERS)));
    // The prefix and the key attribute are those the store writes outbox items with, and only those.
    expect(mailItem(outboxMail)[ATTR.sk].startsWith(PREFIX.mail)).toBe(true);
    expect(ATTR.sk).toBe('sk');
    for (const other of [
      keys.consentSk('X'),
      keys.eventSk('X', 'T', 0, '0', 'r'),
      keys.pdfSk('X', 1),
      keys.profileSk,
    ]) {
      expect(other.startsWith(PREFIX.mail), other).toBe(false);
    }
  });

  it('keeps failures 14 days in a KMS-encrypted, TLS-only queue', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      KmsMasterKeyId: Match.anyValue(),
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    const [, policy] = resources(template, 'AWS::SQS::QueuePolicy').find(([, p]) =>
      asArray(p.Properties.Queues).some((q: Json) => q.Ref === failuresId),
    ) as [string, Json];
    expect(policy.Properties.PolicyDocument.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      ]),
    );
  });

  it('sweeps every 15 minutes, failed runs ending in the failure queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [logicalId(stateless.mailSweeper), 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [failuresId, 'Arn'] } },
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }),
        }),
      ],
    });
    expect(fnProps(logicalId(stateless.mailSweeper)).DeadLetterConfig).toEqual({
      TargetArn: { 'Fn::GetAtt': [failuresId, 'Arn'] },
    });
  });
});

describe('least privilege', () => {
  const policies = identityPolicies(template);
  const statements = policies.flatMap((p) =>
    p.statements.map((s) => ({ policy: p.id, roles: p.roles, ...s })),
  );
  const roleOf = (fn: Json) => fn.Properties.Role['Fn::GetAtt'][0] as string;

  it('has no IAM statement with Action "*" or "service:*"', () => {
    for (const s of statements) {
      for (const action of asArray(s.Action)) {
        expect(action, s.policy).not.toBe('*');
        expect(action, s.policy).not.toMatch(/:\*$/);
      }
    }
  });

  it('uses no wildcard resource (no X-Ray: active tracing is off)', () => {
    expect(statements.filter((x) => asArray(x.Resource).includes('*')).map((s) => s.policy)).toEqual([]);
    expect(statements.flatMap((s) => asArray(s.Action)).filter((a) => a.startsWith('xray:'))).toEqual([]);
  });

  it('lets only the mailer and the sweeper send e-mail, only SendEmail/SendRawEmail, as the sender', () => {
    const sesStatements = statements.filter((s) => asArray(s.Action).some((a) => a.startsWith('ses:')));
    const senders = new Set(sesStatements.flatMap((s) => s.roles));
    expect(senders).toEqual(
      new Set([
        roleOf({ Properties: fnProps(logicalId(stateless.mailer)) }),
        roleOf({ Properties: fnProps(logicalId(stateless.mailSweeper)) }),
      ]),
    );
    for (const s of sesStatements) {
      expect(asArray(s.Action).sort()).toEqual(['ses:SendEmail', 'ses:SendRawEmail']);
      expect(s.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'consents@clinic.example' } });
      const resourcesJson = JSON.stringify(s.Resource);
      expect(resourcesJson).toContain(':identity/');
      expect(resourcesJson).toContain(':configuration-set/');
      expect(asArray(s.Resource)).toHaveLength(2);
    }
    for (const [id, fn] of functions) {
      const vars = fn.Properties.Environment.Variables;
      expect(vars.SES_CONFIGURATION_SET !== undefined, id).toBe(senders.has(roleOf(fn)));
    }
  });

  it('grants each route exactly the table actions of its access level — never Scan or DeleteItem', () => {
    const tableActionsOf = (fn: Json) =>
      statements
        .filter((s) => s.roles.includes(roleOf(fn)))
        .flatMap((s) => asArray(s.Action))
        .filter((a) => a.startsWith('dynamodb:') && !/Stream|GetRecords|GetShardIterator/.test(a))
        .sort();
    const read = ['dynamodb:BatchGetItem', 'dynamodb:GetItem', 'dynamodb:Query'];
    const write = [
      ...read,
      'dynamodb:ConditionCheckItem',
      'dynamodb:PutItem',
      'dynamodb:TransactWriteItems',
      'dynamodb:UpdateItem',
    ].sort();
    for (const route of deployedRoutes) {
      const fn = { Properties: fnProps(logicalId(stateless.functions.get(route.id) as never)) };
      const expected = { read, write, none: [] }[route.access.table];
      expect(tableActionsOf(fn), route.id).toEqual(expected);
    }
    for (const s of statements) {
      for (const action of asArray(s.Action))
        expect(action).not.toMatch(/^dynamodb:(Scan|DeleteItem|BatchWriteItem|DeleteTable)$/);
    }
  });

  it('puts permissions in customer-managed policies, none inline', () => {
    expect(resources(template, 'AWS::IAM::Policy')).toHaveLength(0);
    for (const [id, role] of resources(template, 'AWS::IAM::Role')) {
      expect(role.Properties.Policies, id).toBeUndefined();
      expect(role.Properties.ManagedPolicyArns, id).toBeUndefined();
    }
  });
});

describe('alarms', () => {
  const alarms = resources(template, 'AWS::CloudWatch::Alarm');
  it('notify the clinic topic, when firing and when recovering', () => {
    expect(alarms.length).toBeGreaterThanOrEqual(8);
    const topicExport = `ExportsOutputRef${logicalId(stateful.notifications)}`;
    for (const [id, alarm] of alarms) {
      for (const actions of [alarm.Properties.AlarmActions, alarm.Properties.OKActions]) {
        expect(actions, id).toHaveLength(1);
        expect(JSON.stringify(actions), id).toContain(topicExport);
      }
    }
  });

  it('cover mailer errors, DLQ depth, API 5xx, throttles (API, Lambda, DynamoDB) and the SES bounce rate', () => {
    const json = JSON.stringify(alarms);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'Errors',
      Namespace: 'AWS/Lambda',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(stateless.mailer) } }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stateless.mailFailures), 'QueueName'] } },
      ],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    for (const metric of [
      '5xx',
      'ApiThrottledRequests',
      'Throttles',
      'ReadThrottleEvents',
      'WriteThrottleEvents',
      'Reputation.BounceRate',
    ]) {
      expect(json, metric).toContain(`"MetricName":"${metric}"`);
    }
  });
});
