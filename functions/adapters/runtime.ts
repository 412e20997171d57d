import { config } from '../config';
import type { Clock, ConsentStore, EmailSender } from '../workflow/ports';
import { systemClock } from '../workflow/ports';
import { dynamoDocumentClient, sesV2Client } from './clients';
import { DynamoConsentStore } from './dynamo-store';
import { SesEmailSender } from './ses-sender';

/** Composition root: the real adapters, built once per container from the parsed configuration. */
let store: ConsentStore | undefined;
let sender: EmailSender | undefined;

export function consentStore(): ConsentStore {
  store ??= new DynamoConsentStore(dynamoDocumentClient(), config().TABLE_NAME);
  return store;
}

export function emailSender(): EmailSender {
  sender ??= new SesEmailSender(sesV2Client(), config().SES_CONFIGURATION_SET);
  return sender;
}

export const clock: Clock = systemClock;

export function resetRuntime(): void {
  store = undefined;
  sender = undefined;
}
