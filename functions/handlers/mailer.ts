import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import middy from '@middy/core';
import type { AttributeValue, Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { mailDeps } from '../adapters/runtime';
import { logger } from '../http/logger';
import { countDelivery } from '../http/metrics';
import { deliverMail } from '../workflow/mail';
import { hasTimeForSend, mailTiming } from '../workflow/mail-timing';
import type { OutboxMail } from '../workflow/ports';

/**
 * The table-stream mailer: wakes for outbox items entering `pending` and delivers them. A failed
 * send is recorded on the outbox item (the sweeper retries it), so only a failure to *record*
 * is reported back as a batch item failure for the stream to retry.
 */
export function pendingMails(event: DynamoDBStreamEvent): Array<{ mail: OutboxMail; sequence: string }> {
  const out: Array<{ mail: OutboxMail; sequence: string }> = [];
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage;
    if (!image || record.eventName === 'REMOVE') continue;
    const item = unmarshall(image as Record<string, AttributeValue> as never) as Record<string, unknown>;
    if (item.entity !== 'mail' || item.status !== 'pending') continue;
    const old = record.dynamodb?.OldImage;
    if (old && (unmarshall(old as never) as Record<string, unknown>).status === 'pending') continue;
    out.push({ mail: item as unknown as OutboxMail, sequence: record.dynamodb?.SequenceNumber ?? '' });
  }
  return out;
}

export async function handleStream(
  event: DynamoDBStreamEvent,
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<DynamoDBBatchResponse> {
  const deps = mailDeps();
  const timing = deps.timing ?? mailTiming();
  const failures: DynamoDBBatchResponse['batchItemFailures'] = [];
  for (const { mail, sequence } of pendingMails(event)) {
    // Never start a send this invocation could be killed in the middle of (a possible second copy):
    // hand the record back to the stream, which retries it with a fresh invocation.
    if (context && !hasTimeForSend(context.getRemainingTimeInMillis(), timing)) {
      failures.push({ itemIdentifier: sequence });
      continue;
    }
    try {
      const result = await deliverMail(deps, mail);
      logger.info('mail', { kind: mail.kind, consentId: mail.consentId, result });
      countDelivery(mail, result);
    } catch (err) {
      logger.error('mail not recorded', {
        kind: mail.kind,
        consentId: mail.consentId,
        error: (err as Error).name,
      });
      failures.push({ itemIdentifier: sequence });
    }
  }
  return { batchItemFailures: failures };
}

export const handler = middy(handleStream).use(injectLambdaContext(logger, { resetKeys: true }));
