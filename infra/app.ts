/**
 * CDK app entry (cdk.json: `npx tsx infra/app.ts`). Settings come from context; see docs/deploy.md.
 * cdk-nag's AWS Solutions, HIPAA Security and Serverless packs run on every synth: an unacknowledged
 * finding fails `cdk synth` and `cdk deploy`.
 */
import { App } from 'aws-cdk-lib';
import { addNagPacks, buildConsentApp } from './stacks/consent-app';

const app = new App();
buildConsentApp(app);
addNagPacks(app);
app.synth();
