import { type SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { buildMime } from '../documents/email/mime';
import type { EmailSender, OutgoingEmail } from '../workflow/ports';

/**
 * SES SendRawEmail with our own MIME message (attachments, RFC 2047 Arabic headers), through
 * `@aws-sdk/client-ses` — the SES client of the design card; the raw message is the same one the v2
 * API would carry, and aws-ses-v2-local accepts both.
 */
export class SesEmailSender implements EmailSender {
  constructor(
    private readonly ses: SESClient,
    private readonly configurationSet?: string,
  ) {}

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    if (!email.to?.includes('@')) throw new Error('Recipient address missing');
    const raw = buildMime(email);
    const out = await this.ses.send(
      new SendRawEmailCommand({
        Source: email.from,
        Destinations: [email.to],
        RawMessage: { Data: raw },
        ...(this.configurationSet ? { ConfigurationSetName: this.configurationSet } : {}),
      }),
    );
    return { messageId: out.MessageId ?? 'unknown' };
  }
}
