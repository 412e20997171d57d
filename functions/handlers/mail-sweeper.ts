import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { mailDeps } from '../adapters/runtime';
import { logger } from '../http/logger';
import { countDelivery } from '../http/metrics';
import { sweepMail } from '../workflow/mail';
import { hasTimeForSend } from '../workflow/mail-timing';

/** Scheduled: retries every outbox mail still unsent and due, so no e-mail is ever lost. */
export async function sweep(
  _event?: unknown,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<{ sent: number; failed: number; skipped: number }> {
  const deps = mailDeps();
  // A send is started only while this invocation can still finish it (functions/workflow/mail-timing.ts).
  const result = await sweepMail(
    deps,
    50,
    countDelivery,
    () => !context || hasTimeForSend(context.getRemainingTimeInMillis(), deps.timing),
  );
  if (result.sent + result.failed + result.skipped > 0) logger.info('mail sweep', result);
  return result;
}

export const handler = middy(sweep).use(injectLambdaContext(logger, { resetKeys: true }));
