import { type App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, HIPAASecurityChecks, type NagPack, ServerlessChecks } from 'cdk-nag';
import { readSettings } from './settings';
import { StatefulStack } from './stateful-stack';
import { StatelessStack } from './stateless-stack';

export interface ConsentApp {
  stateful: StatefulStack;
  stateless: StatelessStack;
}

/**
 * Builds both stacks from the app's context. infra/app.ts and the infra tests call this one function, so
 * the tests assert on exactly what `cdk synth` produces.
 */
export function buildConsentApp(app: App): ConsentApp {
  const settings = readSettings(app.node);
  // Account from the CLI's credentials when there are any; synth works without (the account stays a token).
  const env = { account: process.env.CDK_DEFAULT_ACCOUNT, region: settings.region };

  const stateful = new StatefulStack(app, `${settings.appName}-stateful`, {
    env,
    settings,
    description: 'Clinic consents: table, keys, backups, staff user pool, SES sender (retained on delete)',
    terminationProtection: true,
  });
  const stateless = new StatelessStack(app, `${settings.appName}-stateless`, {
    env,
    settings,
    description: 'Clinic consents: API, functions, mailer, alarms',
    table: stateful.table,
    userPool: stateful.userPool,
    staffIssuer: stateful.staffIssuer,
    signInBaseUrl: stateful.signInDomain.baseUrl(),
    sender: stateful.sender,
    notifications: stateful.notifications,
    notificationsDeadLetters: stateful.notificationsDeadLetters,
    backupVaultName: stateful.backupVault.backupVaultName,
    sealKey: stateful.sealKey,
  });
  stateless.addStackDependency(
    stateful,
    'the stateless stack imports the table, user pool, sender and topic',
  );
  for (const stack of [stateful, stateless]) {
    Tags.of(stack).add('app', settings.appName);
    Tags.of(stack).add('data-classification', 'phi');
  }
  return { stateful, stateless };
}

/**
 * Registers the cdk-nag packs every synth runs (AWS Solutions, HIPAA Security, Serverless) as validation
 * plugins: an unacknowledged finding fails `cdk synth`. Returns the packs so tests can list findings.
 */
export function addNagPacks(app: App): NagPack[] {
  const packs = [new AwsSolutionsChecks(app), new HIPAASecurityChecks(app), new ServerlessChecks(app)];
  Validations.of(app).addPlugins(...packs);
  return packs;
}
