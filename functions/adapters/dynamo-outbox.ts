import { QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent } from '../domain/audit';
import type { IntakeLink, MailKind, Outbox, OutboxMail } from '../workflow/ports';
import { type DynamoTable, eventItem, linkItem, strip, translate, WRITE_ONCE } from './dynamo-table';
import { ATTR, INDEX, keys } from './table-keys';

/** An outbox item; while pending it is also in the sparse pendingMail index, due time first. */
export function mailItem(m: OutboxMail) {
  return {
    [ATTR.pk]: keys.clinicPk(m.clinicId),
    [ATTR.sk]: keys.mailSk(m.consentId, m.kind),
    entity: 'mail',
    ...(m.status === 'pending'
      ? {
          [ATTR.gsi2pk]: keys.pendingMailPk,
          [ATTR.gsi2sk]: keys.pendingMailSk(m.nextAttemptAt, m.clinicId, m.consentId, m.kind),
        }
      : {}),
    ...m,
  };
}

const mailKey = (mail: OutboxMail) => ({
  [ATTR.pk]: keys.clinicPk(mail.clinicId),
  [ATTR.sk]: keys.mailSk(mail.consentId, mail.kind),
});

/** The transactional outbox: mails are written with the consent change (dynamo-consents.ts), then leased here. */
export class DynamoOutbox implements Outbox {
  constructor(private readonly table: DynamoTable) {}

  listMails(clinicId: string, consentId: string) {
    return this.table.queryPrefix<OutboxMail>(keys.clinicPk(clinicId), keys.mailPrefix(consentId));
  }

  getMail(clinicId: string, consentId: string, kind: MailKind) {
    return this.table.get<OutboxMail>(keys.clinicPk(clinicId), keys.mailSk(consentId, kind));
  }

  async claimMail(mail: OutboxMail, now: string, leaseUntil: string): Promise<boolean> {
    try {
      await this.table.db.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: mailKey(mail),
          UpdateExpression: 'SET leaseUntil = :lease ADD attempts :one',
          ConditionExpression: '#s = :pending AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':lease': leaseUntil, ':one': 1, ':pending': 'pending', ':now': now },
        }),
      );
      return true;
    } catch (err) {
      if ((err as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      translate(err);
    }
  }

  async markMailSent(mail: OutboxMail, sentAt: string, messageId: string, event: AuditEvent): Promise<void> {
    try {
      await this.table.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table.tableName,
                Key: mailKey(mail),
                UpdateExpression: `SET #s = :sent, sentAt = :at, messageId = :mid REMOVE ${ATTR.gsi2pk}, ${ATTR.gsi2sk}, leaseUntil`,
                ConditionExpression: '#s = :pending',
                ExpressionAttributeNames: { '#s': 'status' },
                ExpressionAttributeValues: {
                  ':sent': 'sent',
                  ':at': sentAt,
                  ':mid': messageId,
                  ':pending': 'pending',
                },
              },
            },
            {
              Put: {
                TableName: this.table.tableName,
                Item: eventItem(mail.clinicId, event),
                ConditionExpression: WRITE_ONCE,
              },
            },
          ],
        }),
      );
    } catch (err) {
      translate(err);
    }
  }

  async markMailFailed(
    mail: OutboxMail,
    error: string,
    nextAttemptAt: string,
    event?: AuditEvent,
  ): Promise<void> {
    const update = new UpdateCommand({
      TableName: this.table.tableName,
      Key: mailKey(mail),
      UpdateExpression: `SET lastError = :e, nextAttemptAt = :n, ${ATTR.gsi2sk} = :g REMOVE leaseUntil`,
      ConditionExpression: '#s = :pending',
      ExpressionAttributeNames: { '#s': 'status' },
      ExpressionAttributeValues: {
        ':e': error.slice(0, 200),
        ':n': nextAttemptAt,
        ':g': keys.pendingMailSk(nextAttemptAt, mail.clinicId, mail.consentId, mail.kind),
        ':pending': 'pending',
      },
    });
    try {
      await this.table.db.send(update);
      if (event) await this.table.put(eventItem(mail.clinicId, event), WRITE_ONCE);
    } catch (err) {
      translate(err);
    }
  }

  async attachMailLink(mail: OutboxMail, link: IntakeLink, replaces?: string): Promise<void> {
    const T = this.table.tableName;
    try {
      await this.table.db.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: T,
                Item: linkItem(link),
                ConditionExpression: WRITE_ONCE,
              },
            },
            {
              Update: {
                TableName: T,
                Key: mailKey(mail),
                UpdateExpression: 'SET linkTokenHash = :h',
                ConditionExpression: '#s = :pending',
                ExpressionAttributeNames: { '#s': 'status' },
                ExpressionAttributeValues: { ':h': link.tokenHash, ':pending': 'pending' },
              },
            },
            ...(replaces
              ? [
                  {
                    Delete: {
                      TableName: T,
                      Key: { [ATTR.pk]: keys.linkPk(replaces), [ATTR.sk]: keys.linkSk },
                    },
                  },
                ]
              : []),
          ],
        }),
      );
    } catch (err) {
      translate(err);
    }
  }

  async cancelMail(mail: OutboxMail, at: string, reason: string): Promise<void> {
    try {
      await this.table.db.send(
        new UpdateCommand({
          TableName: this.table.tableName,
          Key: mailKey(mail),
          UpdateExpression: `SET #s = :cancelled, cancelledAt = :at, cancelReason = :r REMOVE ${ATTR.gsi2pk}, ${ATTR.gsi2sk}, leaseUntil`,
          ConditionExpression: '#s = :pending',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: {
            ':cancelled': 'cancelled',
            ':at': at,
            ':r': reason,
            ':pending': 'pending',
          },
        }),
      );
    } catch (err) {
      translate(err);
    }
  }

  async listDueMails(now: string, limit: number): Promise<OutboxMail[]> {
    try {
      const out = await this.table.db.send(
        new QueryCommand({
          TableName: this.table.tableName,
          IndexName: INDEX.pendingMail,
          KeyConditionExpression: `${ATTR.gsi2pk} = :p AND ${ATTR.gsi2sk} <= :now`,
          ExpressionAttributeValues: { ':p': keys.pendingMailPk, ':now': `${now}~` },
          Limit: limit,
        }),
      );
      return (out.Items ?? []).map((it) => strip<OutboxMail>(it) as OutboxMail);
    } catch (err) {
      translate(err);
    }
  }
}
