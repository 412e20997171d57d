import { inject } from 'vitest';
import { Api } from '../support/client';

/**
 * The shared client bound to the integration project's stack (started by global-setup.ts, whose urls
 * arrive through vitest's provide/inject). The client itself is test/support/client.ts.
 */
export const appUrl = () => inject('appUrl');
export const sesUrl = () => inject('sesUrl');

export const api = new Api(appUrl(), sesUrl());
export const { call, login, invite, answer, sign, signed: signedConsent, sentEmails, waitForEmails } = api;

export {
  bytes,
  type Reply,
  type StoredEmail,
  sha256,
  typedSignature,
  uniqueEmail,
} from '../support/client';
