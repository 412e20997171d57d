import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { sealSignerRoleName } from '../../infra/stacks/seal';
import { tableDefinition } from '../../infra/table';
import {
  asArray,
  defaultApp,
  identityPolicies,
  type Json,
  logicalId,
  resources,
  synthesize,
} from './helpers';

const { stateful, statefulTemplate: template } = defaultApp();
const resourceOf = (construct: Parameters<typeof logicalId>[0]): Json =>
  template.toJSON().Resources[logicalId(construct)];

describe('consent table', () => {
  const table = resourceOf(stateful.table);

  it('is built from the shared table definition: keys, indexes, stream, TTL', () => {
    expect(table.Type).toBe('AWS::DynamoDB::GlobalTable');
    expect(table.Properties.KeySchema).toEqual([
      { AttributeName: tableDefinition.partitionKey, KeyType: 'HASH' },
      { AttributeName: tableDefinition.sortKey, KeyType: 'RANGE' },
    ]);
    expect(table.Properties.GlobalSecondaryIndexes).toEqual(
      tableDefinition.indexes.map((ix) => ({
        IndexName: ix.name,
        KeySchema: [
          { AttributeName: ix.partitionKey, KeyType: 'HASH' },
          { AttributeName: ix.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    );
    expect(table.Properties.StreamSpecification).toEqual({ StreamViewType: 'NEW_AND_OLD_IMAGES' });
    expect(table.Properties.TimeToLiveSpecification).toEqual({
      AttributeName: tableDefinition.ttlAttribute,
      Enabled: true,
    });
    expect(table.Properties.BillingMode).toBe('PAY_PER_REQUEST');
  });

  it('is encrypted with a rotating customer-managed key, with PITR and deletion protection, and retained', () => {
    const [replica] = table.Properties.Replicas;
    expect(table.Properties.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
    const keyId = replica.SSESpecification.KMSMasterKeyId['Fn::GetAtt'][0];
    const key = template.toJSON().Resources[keyId];
    expect(key.Type).toBe('AWS::KMS::Key');
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.DeletionPolicy).toBe('Retain');
    expect(replica.PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled).toBe(true);
    expect(replica.DeletionProtectionEnabled).toBe(true);
    expect(replica.Region).toBe('me-central-1');
    expect(table.DeletionPolicy).toBe('Retain');
    expect(table.UpdateReplacePolicy).toBe('Retain');
  });

  it('rotates every symmetric KMS key of the app (KMS cannot rotate the asymmetric seal key)', () => {
    const { statelessTemplate } = defaultApp();
    for (const t of [template, statelessTemplate]) {
      for (const [id, key] of resources(t, 'AWS::KMS::Key')) {
        if (key.Properties.KeySpec && key.Properties.KeySpec !== 'SYMMETRIC_DEFAULT') {
          expect(id).toBe(logicalId(stateful.sealKey));
          continue;
        }
        expect(key.Properties.EnableKeyRotation, id).toBe(true);
      }
    }
  });
});

describe('backups', () => {
  it('keep a recovery point at least 25 years, moving it to cold storage', () => {
    const [[, plan]] = resources(template, 'AWS::Backup::BackupPlan') as [[string, Json]];
    const rules = plan.Properties.BackupPlan.BackupPlanRule as Json[];
    const archive = rules.filter((r) => r.Lifecycle.DeleteAfterDays >= Math.ceil(25 * 365.25));
    expect(archive.length).toBeGreaterThanOrEqual(1);
    for (const rule of archive) expect(rule.Lifecycle.MoveToColdStorageAfterDays).toBeGreaterThanOrEqual(90);
  });

  it('select the consent table, into a KMS-encrypted vault that nobody can empty by hand', () => {
    template.hasResourceProperties('AWS::Backup::BackupSelection', {
      BackupSelection: Match.objectLike({
        Resources: [{ 'Fn::GetAtt': [logicalId(stateful.table), 'Arn'] }],
      }),
    });
    const vault = resourceOf(stateful.backupVault);
    expect(vault.Properties.EncryptionKeyArn).toBeDefined();
    expect(vault.DeletionPolicy).toBe('Retain');
    expect(JSON.stringify(vault.Properties.AccessPolicy)).toContain('backup:DeleteRecoveryPoint');
  });
});

describe('e-mail', () => {
  it('requires TLS, records reputation, and sends bounces and complaints to the clinic topic', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSet', {
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
      ReputationOptions: { ReputationMetricsEnabled: true },
    });
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: Match.arrayWith(['bounce', 'complaint', 'reject', 'deliveryDelay']),
        SnsDestination: { TopicARN: { Ref: logicalId(stateful.notifications) } },
      }),
    });
  });

  it('verifies the sender address by default, with the configuration set as its default', () => {
    template.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: 'consents@clinic.example',
      ConfigurationSetAttributes: { ConfigurationSetName: Match.anyValue() },
    });
  });

  it('verifies the whole domain (DKIM records as outputs) when senderDomain is set', () => {
    const custom = synthesize({ senderDomain: 'clinic.ae', senderEmail: 'consents@clinic.ae' });
    custom.statefulTemplate.hasResourceProperties('AWS::SES::EmailIdentity', { EmailIdentity: 'clinic.ae' });
    expect(Object.keys(custom.statefulTemplate.toJSON().Outputs)).toEqual(
      expect.arrayContaining(['DkimRecord1', 'DkimRecord2', 'DkimRecord3']),
    );
    // Still only the configured address may send, even though the identity covers the domain.
    const ses = identityPolicies(custom.statelessTemplate)
      .flatMap((p) => p.statements)
      .filter((s) => asArray(s.Action).includes('ses:SendEmail'));
    expect(ses.length).toBe(2);
    for (const s of ses)
      expect(s.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'consents@clinic.ae' } });
  });
});

describe('notifications', () => {
  it('go to a KMS-encrypted, TLS-only topic with the alarm e-mail subscribed (and a dead-letter queue)', () => {
    const topic = resourceOf(stateful.notifications);
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
          }),
          Match.objectLike({
            Effect: 'Allow',
            Action: 'sns:Publish',
            Principal: { Service: 'ses.amazonaws.com' },
          }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'it@clinic.example',
      TopicArn: { Ref: logicalId(stateful.notifications) },
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [logicalId(stateful.notificationsDeadLetters), 'Arn'] },
      },
    });
  });
});

describe('staff user pool', () => {
  it('requires TOTP MFA and a strong password, has no self sign-up and enforces threat protection', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      AdminCreateUserConfig: Match.objectLike({ AllowAdminCreateUserOnly: true }),
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: 14,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        }),
      },
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      DeletionProtection: 'ACTIVE',
    });
    expect(resourceOf(stateful.userPool).DeletionPolicy).toBe('Retain');
  });

  it('carries the clinicId and licence custom attributes and the coordinator and doctor groups', () => {
    const schema = resourceOf(stateful.userPool).Properties.Schema as Json[];
    expect(schema.map((a) => a.Name)).toEqual(
      expect.arrayContaining(['clinicId', 'licence', 'email', 'name']),
    );
    const groups = resources(template, 'AWS::Cognito::UserPoolGroup').map(([, g]) => g.Properties.GroupName);
    expect(groups.sort()).toEqual(['coordinator', 'doctor']);
    template.resourceCountIs('AWS::Cognito::UserPoolDomain', 1);
  });
});

describe('seal key policy (issue 11: no IAM administrator can sign)', () => {
  /** Whether an IAM action pattern (with * and ?) covers an action. */
  const covers = (pattern: string, action: string) =>
    new RegExp(
      `^${pattern
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
      'i',
    ).test(action);
  const policyOf = (t: typeof template) =>
    t.toJSON().Resources[logicalId(stateful.sealKey)].Properties.KeyPolicy.Statement as Json[];
  const signing = (statements: Json[]) =>
    statements.filter(
      (s) => s.Effect === 'Allow' && asArray<string>(s.Action).some((a) => covers(a, 'kms:Sign')),
    );
  const signerArn = (s: Json) => JSON.stringify(s.Condition?.ArnEquals?.['aws:PrincipalArn']);

  it('lets the account manage the key (policy, tags, disable, public key) but not sign with it', () => {
    const statements = policyOf(template);
    const admin = statements.find((s) => s.Sid === 'AccountManagesTheKeyButCannotSign');
    expect(admin).toBeDefined();
    expect(JSON.stringify(admin.Principal)).toContain(':root');
    for (const action of [
      'kms:PutKeyPolicy',
      'kms:DescribeKey',
      'kms:GetPublicKey',
      'kms:TagResource',
      'kms:DisableKey',
    ]) {
      expect(
        asArray<string>(admin.Action).some((a) => covers(a, action)),
        action,
      ).toBe(true);
    }
    // No grants either: a grant would hand kms:Sign on around the key policy.
    for (const action of ['kms:Sign', 'kms:Verify', 'kms:CreateGrant']) {
      expect(
        asArray<string>(admin.Action).some((a) => covers(a, action)),
        action,
      ).toBe(false);
    }
    expect(asArray(admin.Action)).not.toContain('kms:*');
  });

  it('allows kms:Sign to exactly the countersign role, digests only, PKCS#1 v1.5 SHA-256', () => {
    const [only, ...more] = signing(policyOf(template));
    expect(more).toEqual([]);
    expect(only.Condition.StringEquals).toEqual({
      'kms:MessageType': 'DIGEST',
      'kms:SigningAlgorithm': 'RSASSA_PKCS1_V1_5_SHA_256',
    });
    expect(signerArn(only)).toContain(`:role/${sealSignerRoleName('meso-consent')}`);
    // The countersign function's role carries that name (stateless stack), and no other role does.
    const { statelessTemplate, stateless } = defaultApp();
    const roles = resources(statelessTemplate, 'AWS::IAM::Role').filter(
      ([, r]) => r.Properties.RoleName === sealSignerRoleName('meso-consent'),
    );
    expect(roles).toHaveLength(1);
    const countersign =
      statelessTemplate.toJSON().Resources[
        logicalId(stateless.functions.get('consent-countersign') as never)
      ];
    expect(countersign.Properties.Role['Fn::GetAtt'][0]).toBe(roles[0]?.[0]);
  });

  it('adds the certificate maker as a second signer only while sealCertificateMaker is set', () => {
    const maker = 'arn:aws:iam::123456789012:role/ClinicAdmin';
    const app = synthesize({ sealCertificateMaker: maker });
    const [only, ...more] = signing(
      app.statefulTemplate.toJSON().Resources[logicalId(app.stateful.sealKey)].Properties.KeyPolicy.Statement,
    );
    expect(more).toEqual([]);
    expect(signerArn(only)).toContain(maker);
    expect(signerArn(only)).toContain(`:role/${sealSignerRoleName('meso-consent')}`);
    expect(() => synthesize({ sealCertificateMaker: 'arn:aws:iam::123456789012:root' })).toThrow(
      /sealCertificateMaker/,
    );
  });
});

describe('staff sign-in domain', () => {
  it('does not publish the account id: the prefix comes from the stack’s random id', () => {
    const [[, domain]] = resources(template, 'AWS::Cognito::UserPoolDomain') as [[string, Json]];
    const json = JSON.stringify(domain.Properties.Domain);
    expect(json).not.toContain('AWS::AccountId');
    expect(json).toContain('AWS::StackId');
    expect(json).toContain('meso-consent-');
    // Nowhere else in the template either (outputs, the hosted UI URL).
    expect(JSON.stringify(template.toJSON().Outputs)).not.toContain('AWS::AccountId');
  });

  it('uses authDomainPrefix as given', () => {
    const app = synthesize({ authDomainPrefix: 'clinic-signin-7f3a' });
    app.statefulTemplate.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: 'clinic-signin-7f3a',
    });
  });
});
