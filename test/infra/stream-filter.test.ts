import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { mailItem } from '../../functions/adapters/dynamo-outbox';
import { ATTR, keys } from '../../functions/adapters/table-keys';
import { pendingMails } from '../../functions/handlers/mailer';
import type { OutboxMail } from '../../functions/workflow/ports';
import { toLambdaEvent } from '../../infra/local/stream-poller';
import { MAILER_STREAM_FILTERS, matchesPattern, matchesStreamFilter } from '../../infra/stream-filter';

/**
 * The mailer's stream filter (issue 16, item 4): Lambda and the local poller pass the mailer exactly the
 * records it delivers — an outbox item just become pending, not leased — and none of the steps of a delivery
 * under way. Checked against the handler's own decision (`pendingMails`) over an outbox item's whole life.
 */
const mail: OutboxMail = {
  clinicId: 'demo',
  consentId: '01J0000000000000000000000X',
  kind: 'final_patient',
  to: 'patient@example.test',
  locale: 'en',
  status: 'pending',
  attempts: 0,
  createdAt: '2026-01-01T00:00:00.000Z',
  nextAttemptAt: '2026-01-01T00:00:00.000Z',
};
const pending = mailItem(mail);
const { [ATTR.gsi2pk]: _pk, [ATTR.gsi2sk]: _sk, ...withoutIndex } = pending as Record<string, unknown>;
const leased = { ...pending, leaseUntil: '2026-01-01T00:01:30.000Z', attempts: 1 };
const sent = {
  ...withoutIndex,
  status: 'sent',
  sentAt: '2026-01-01T00:00:02.000Z',
  messageId: 'm-1',
  attempts: 1,
};
const failed = {
  ...pending,
  attempts: 1,
  lastError: 'Throttling',
  nextAttemptAt: '2026-01-01T00:05:00.000Z',
};
const consent = {
  [ATTR.pk]: keys.clinicPk('demo'),
  [ATTR.sk]: keys.consentSk(mail.consentId),
  entity: 'consent',
  status: 'pending',
};

let seq = 0;
function record(eventName: 'INSERT' | 'MODIFY' | 'REMOVE', item: object, old?: object): DynamoDBRecord {
  const image = (x: object) => marshall(x, { removeUndefinedValues: true });
  const key = image({ [ATTR.pk]: (item as never)[ATTR.pk], [ATTR.sk]: (item as never)[ATTR.sk] });
  seq++;
  const [r] = toLambdaEvent(
    [
      {
        eventID: String(seq),
        eventName,
        dynamodb: {
          Keys: key,
          ...(eventName !== 'REMOVE' ? { NewImage: image(item) } : {}),
          ...(old ? { OldImage: image(old) } : {}),
          SequenceNumber: String(seq),
          StreamViewType: 'NEW_AND_OLD_IMAGES',
        },
      } as never,
    ],
    'arn:aws:dynamodb:me-central-1:000000000000:table/t/stream/x',
  ).Records;
  return r as DynamoDBRecord;
}

const lifecycle: Array<[string, DynamoDBRecord, boolean]> = [
  ['written pending (INSERT)', record('INSERT', pending), true],
  ['leased by a sender', record('MODIFY', leased, pending), false],
  ['sent', record('MODIFY', sent, leased), false],
  ['send failed, recorded for a retry', record('MODIFY', failed, leased), false],
  ['put again while pending', record('MODIFY', pending, pending), false],
  ['back to pending from another status', record('MODIFY', pending, sent), true],
  ['inserted already leased', record('INSERT', leased), false],
  ['inserted sent', record('INSERT', sent), false],
  ['removed', record('REMOVE', pending, pending), false],
  ['not a mail (a consent, status pending)', record('INSERT', consent), false],
];

describe('the mailer stream filter', () => {
  it.each(lifecycle.map(([name, r, passed]) => ({ name, r, passed })))(
    '$name → passed to the mailer: $passed',
    ({ r, passed }) => {
      expect(matchesStreamFilter(r)).toBe(passed);
    },
  );

  it('passes exactly the unleased records the mailer delivers (its own pendingMails decision)', () => {
    for (const [name, r] of lifecycle) {
      const delivers = pendingMails({ Records: [r] }).length === 1;
      const leasedNow = r.dynamodb?.NewImage?.leaseUntil !== undefined;
      // Never a record the mailer would ignore; every one it would deliver unless a sender holds its lease
      // (then the lease holder delivers it, or the sweeper once the lease has expired).
      if (matchesStreamFilter(r)) expect(delivers, name).toBe(true);
      if (delivers && !leasedNow) expect(matchesStreamFilter(r), name).toBe(true);
    }
  });

  it('wakes the mailer once per e-mail on the usual path (written, leased, sent), not three times', () => {
    const path = lifecycle.slice(0, 3).map(([, r]) => r);
    expect(path.filter((r) => matchesStreamFilter(r))).toHaveLength(1);
  });

  it('matches patterns as Lambda does: every field, any leaf, exists on leaves, anything-but needs a value', () => {
    expect(matchesPattern({ a: { S: ['x'] } }, { a: { S: 'x' } })).toBe(true);
    expect(matchesPattern({ a: { S: ['x'] }, b: { S: ['y'] } }, { a: { S: 'x' } })).toBe(false);
    expect(matchesPattern({ a: { S: [{ exists: false }] } }, {})).toBe(true);
    expect(matchesPattern({ a: { S: [{ exists: false }] } }, { a: { S: '' } })).toBe(false);
    expect(matchesPattern({ a: { S: [{ prefix: 'MAIL#' }] } }, { a: { S: 'MAIL#1' } })).toBe(true);
    expect(matchesPattern({ a: { S: [{ 'anything-but': ['p'] }] } }, {})).toBe(false);
    expect(matchesPattern({ a: { S: [{ 'anything-but': ['p'] }] } }, { a: { S: 'q' } })).toBe(true);
    expect(MAILER_STREAM_FILTERS.length).toBeLessThanOrEqual(5); // Lambda's default quota per mapping
  });
});
