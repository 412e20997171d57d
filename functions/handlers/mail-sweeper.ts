import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { mailDeps } from '../adapters/runtime';
import { logger } from '../http/logger';
import { countDelivery } from '../http/metrics';
import { sweepMail } from '../workflow/mail';

/** Scheduled: retries every outbox mail still unsent and due, so no e-mail is ever lost. */
export async function sweep(): Promise<{ sent: number; failed: number; skipped: number }> {
  const result = await sweepMail(mailDeps(), 50, countDelivery);
  if (result.sent + result.failed + result.skipped > 0) logger.info('mail sweep', result);
  return result;
}

export const handler = middy(sweep).use(injectLambdaContext(logger, { resetKeys: true }));
