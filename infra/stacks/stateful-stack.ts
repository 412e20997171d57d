import { CfnOutput, Duration, Fn, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import {
  BackupPlan,
  BackupPlanRule,
  BackupResource,
  BackupSelection,
  BackupVault,
} from 'aws-cdk-lib/aws-backup';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { AttributeType, Billing, StreamViewType, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import {
  ConfigurationSet,
  ConfigurationSetTlsPolicy,
  EmailIdentity,
  EmailSendingEvent,
  EventDestination,
  Identity,
  SuppressionReasons,
} from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { MailSenderRef } from '../constructs/consent-function';
import { tableDefinition } from '../table';
import { sealKeyPolicy } from './seal';
import type { DeploySettings } from './settings';

/** UAE medical records: kept 25 years. 25 × 365.25 days, rounded up, so leap days never cut it short. */
export const RECORD_RETENTION = Duration.days(9132);
/** Monthly recovery points move to cold storage after this (AWS Backup's minimum is 90 days in warm). */
export const COLD_STORAGE_AFTER = Duration.days(90);
/** Staff groups: the JWT's `cognito:groups` claim carries them (API.md). */
export const STAFF_GROUPS = ['coordinator', 'doctor'] as const;

export interface StatefulStackProps extends StackProps {
  settings: DeploySettings;
}

/**
 * Everything that holds data or identity and must survive any redeploy of the code: the consent table
 * and its keys, its backups, the staff user pool, the SES sender, and the notifications topic that tells
 * the clinic about bounces and alarms. Deleting this stack keeps the table, keys, vault and user pool.
 */
export class StatefulStack extends Stack {
  readonly table: TableV2;
  readonly userPool: UserPool;
  readonly signInDomain: UserPoolDomain;
  /** The issuer of staff JWTs (the `iss` claim): https://cognito-idp.<region>.amazonaws.com/<pool id>. */
  readonly staffIssuer: string;
  readonly sender: MailSenderRef;
  /** Alarms and SES bounce/complaint events; its e-mail subscription is the context value alarmEmail. */
  readonly notifications: Topic;
  /** Notifications SNS could not deliver to the subscription. */
  readonly notificationsDeadLetters: Queue;
  readonly backupVault: BackupVault;
  /** Signs (seals) every final consent PDF; the private key never leaves KMS. */
  readonly sealKey: Key;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { settings } = props;

    // ---------------------------------------------------------------- table
    const tableKey = new Key(this, 'TableKey', {
      description: 'Encrypts the consent table (patient answers, signatures, PDFs) and its stream',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    tableKey.addAlias(`alias/${settings.appName}/table`);

    const keyAttr = (name: string) => ({ name, type: AttributeType.STRING });
    this.table = new TableV2(this, 'ConsentTable', {
      partitionKey: keyAttr(tableDefinition.partitionKey),
      sortKey: keyAttr(tableDefinition.sortKey),
      globalSecondaryIndexes: tableDefinition.indexes.map((ix) => ({
        indexName: ix.name,
        partitionKey: keyAttr(ix.partitionKey),
        sortKey: keyAttr(ix.sortKey),
      })),
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.customerManagedKey(tableKey),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true, recoveryPeriodInDays: 35 },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      dynamoStream: StreamViewType[tableDefinition.streamViewType],
      timeToLiveAttribute: tableDefinition.ttlAttribute,
    });

    // ---------------------------------------------------------------- PDF seal
    // Asymmetric: KMS holds the private key and signs digests (kms:Sign, granted to the countersign
    // function only); its certificate is made once by the clinic (docs/deploy.md). KMS cannot rotate an
    // asymmetric key: a new seal key means a new key and certificate, and the old key must stay for the
    // record (its certificate is embedded in every PDF it sealed), hence RETAIN.
    this.sealKey = new Key(this, 'SealKey', {
      description: 'Seals (digitally signs, PAdES) every countersigned consent PDF',
      keySpec: KeySpec.RSA_2048,
      keyUsage: KeyUsage.SIGN_VERIFY,
      removalPolicy: RemovalPolicy.RETAIN,
      // Not the default policy (account root: kms:*, which lets any IAM administrator sign): the account
      // manages the key, only the countersign function's role signs (infra/stacks/seal.ts).
      policy: sealKeyPolicy(this, settings.appName, settings.sealCertificateMaker),
    });
    this.sealKey.addAlias(`alias/${settings.appName}/seal`);

    // ---------------------------------------------------------------- notifications
    const notificationsKey = new Key(this, 'NotificationsKey', {
      description: 'Encrypts the notifications topic (alarms, SES bounces) and its dead-letter queue',
      enableKeyRotation: true,
    });
    // Services that publish into the encrypted topic / queue must be able to use the key.
    notificationsKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowAwsServicesToPublishEncrypted',
        principals: [
          new ServicePrincipal('cloudwatch.amazonaws.com'),
          new ServicePrincipal('ses.amazonaws.com'),
          new ServicePrincipal('sns.amazonaws.com'),
        ],
        // The statement AWS documents for alarms and SES events into encrypted topics. Who may publish at
        // all is decided by the topic and queue policies (this account's alarms, this configuration set).
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
      }),
    );
    this.notificationsDeadLetters = new Queue(this, 'NotificationsDeadLetters', {
      encryption: QueueEncryption.KMS,
      encryptionMasterKey: notificationsKey,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.notificationsDeadLetters).acknowledge(
      {
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is itself a dead-letter queue: it receives the notifications SNS could not deliver to the alarm e-mail subscription.',
      },
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason:
          'This queue is itself a dead-letter queue (of the notifications e-mail subscription); a redrive policy would only chain another one.',
      },
    );
    this.notifications = new Topic(this, 'Notifications', {
      displayName: `${settings.appName} alarms and e-mail bounces`,
      masterKey: notificationsKey,
      enforceSSL: true,
    });
    // The stack's topic policy replaces SNS's default one, so say explicitly that this account's alarms
    // may publish (SES gets its own statement from its event destination).
    this.notifications.addToResourcePolicy(
      new PolicyStatement({
        sid: 'AllowThisAccountsAlarms',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.notifications.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: {
            'aws:SourceArn': `arn:${this.partition}:cloudwatch:${this.region}:${this.account}:alarm:*`,
          },
        },
      }),
    );
    this.notifications.addSubscription(
      new EmailSubscription(settings.alarmEmail, { deadLetterQueue: this.notificationsDeadLetters }),
    );

    // ---------------------------------------------------------------- backups
    const backupKey = new Key(this, 'BackupKey', {
      description: 'Encrypts the backup vault holding 25 years of consent-table recovery points',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.backupVault = new BackupVault(this, 'BackupVault', {
      encryptionKey: backupKey,
      removalPolicy: RemovalPolicy.RETAIN,
      // Nobody (not even an administrator) deletes a recovery point by hand; only its lifecycle expires it.
      blockRecoveryPointDeletion: true,
    });
    const plan = new BackupPlan(this, 'BackupPlan', {
      backupPlanName: `${settings.appName}-consents`,
      backupVault: this.backupVault,
      backupPlanRules: [
        // Monthly recovery points are the 25-year archive; cold storage keeps that affordable.
        // 22:00 UTC is 02:00 in the UAE, outside clinic hours.
        new BackupPlanRule({
          ruleName: 'Monthly25Years',
          scheduleExpression: Schedule.cron({ day: '1', hour: '22', minute: '0' }),
          moveToColdStorageAfter: COLD_STORAGE_AFTER,
          deleteAfter: RECORD_RETENTION,
        }),
        // Daily points sit in the vault, apart from the table; PITR covers finer-grained restores.
        // Same time as the monthly rule: where both fall, AWS Backup takes one point, kept the longest.
        new BackupPlanRule({
          ruleName: 'Daily35Days',
          scheduleExpression: Schedule.cron({ hour: '22', minute: '0' }),
          deleteAfter: Duration.days(35),
        }),
      ],
    });
    const selection = new BackupSelection(this, 'BackupSelection', {
      backupPlan: plan,
      resources: [BackupResource.fromArn(this.table.tableArn)],
      allowRestores: false,
    });
    Validations.of(selection).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]',
      reason:
        'AWS Backup service role: AWS maintains this policy as DynamoDB backup (incl. advanced backup and KMS grants) evolves; a hand-copied policy would silently break the 25-year backups.',
    });

    // ---------------------------------------------------------------- e-mail (SES)
    const configurationSet = new ConfigurationSet(this, 'MailConfigurationSet', {
      tlsPolicy: ConfigurationSetTlsPolicy.REQUIRE,
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: SuppressionReasons.BOUNCES_AND_COMPLAINTS,
    });
    configurationSet.addEventDestination('BouncesToClinic', {
      destination: EventDestination.snsTopic(this.notifications),
      events: [
        EmailSendingEvent.BOUNCE,
        EmailSendingEvent.COMPLAINT,
        EmailSendingEvent.REJECT,
        EmailSendingEvent.DELIVERY_DELAY,
        EmailSendingEvent.RENDERING_FAILURE,
      ],
    });
    const identity = new EmailIdentity(this, 'MailIdentity', {
      identity: settings.senderDomain
        ? Identity.domain(settings.senderDomain)
        : Identity.email(settings.senderEmail),
      // Mail sent without naming a configuration set still gets TLS-required delivery and bounce events.
      configurationSet,
    });
    this.sender = {
      identityArn: identity.emailIdentityArn,
      configurationSetName: configurationSet.configurationSetName,
      configurationSetArn: this.formatArn({
        service: 'ses',
        resource: 'configuration-set',
        resourceName: configurationSet.configurationSetName,
      }),
      fromAddress: settings.senderEmail,
    };
    if (settings.senderDomain) {
      identity.dkimRecords.forEach((record, i) => {
        new CfnOutput(this, `DkimRecord${i + 1}`, {
          description: `DNS CNAME to publish for ${settings.senderDomain} (SES DKIM)`,
          value: `${record.name} CNAME ${record.value}`,
        });
      });
    }

    // ---------------------------------------------------------------- staff sign-in (Cognito)
    this.userPool = new UserPool(this, 'StaffUsers', {
      userPoolName: `${settings.appName}-staff`,
      // Staff accounts are created by the clinic's administrator, never by sign-up.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      keepOriginal: { email: true },
      standardAttributes: {
        email: { required: true, mutable: true },
        fullname: { required: true, mutable: true },
      },
      customAttributes: {
        // Tenant of every staff request; writable only by administrators (the app client cannot write it).
        clinicId: new StringAttribute({ minLen: 1, maxLen: 64, mutable: true }),
        // Doctor's professional licence number, printed on the countersignature.
        licence: new StringAttribute({ minLen: 0, maxLen: 64, mutable: true }),
      },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
        passwordHistorySize: 12,
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      userInvitation: {
        emailSubject: `Your ${settings.appName} staff account`,
        emailBody:
          'Your staff account for the clinic consent system: user name {username}, temporary password {####}. ' +
          'You will set a new password and an authenticator app (MFA) at first sign-in.',
      },
    });
    for (const group of STAFF_GROUPS) {
      this.userPool.addGroup(`Group-${group}`, { groupName: group, description: `Clinic staff: ${group}` });
    }
    this.signInDomain = this.userPool.addDomain('SignInDomain', {
      cognitoDomain: {
        domainPrefix: settings.authDomainPrefix ?? this.anonymousDomainPrefix(settings.appName),
      },
    });
    this.staffIssuer = `https://cognito-idp.${this.region}.${this.urlSuffix}/${this.userPool.userPoolId}`;

    // ---------------------------------------------------------------- outputs
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'StaffSignInDomain', { value: this.signInDomain.baseUrl() });
    new CfnOutput(this, 'SenderIdentity', { value: identity.emailIdentityName });
    new CfnOutput(this, 'BackupVaultName', { value: this.backupVault.backupVaultName });
    new CfnOutput(this, 'SealKeyArn', {
      description:
        'KMS key that seals final PDFs: make its certificate with infra/admin/seal-certificate.ts (docs/deploy.md)',
      value: this.sealKey.keyArn,
    });
  }

  /**
   * `<appName>-<first 8 hex digits of this stack's id>`: AWS::StackId ends in a random UUID, fixed for the
   * life of the stack, so the prefix is stable across deploys, unique across clinics, and — unlike the
   * account id it replaced — tells a reader of the sign-in URL nothing about the AWS account.
   */
  private anonymousDomainPrefix(appName: string): string {
    const uuid = Fn.select(2, Fn.split('/', this.stackId));
    return `${appName}-${Fn.select(0, Fn.split('-', uuid))}`;
  }
}
