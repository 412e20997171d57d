import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { buildMime } from '../documents/email/mime';
import type { EmailSender, OutgoingEmail } from '../workflow/ports';

/** SES v2 SendEmail with a raw MIME message (attachments, encoded Arabic headers). */
export class SesEmailSender implements EmailSender {
  constructor(
    private readonly ses: SESv2Client,
    private readonly configurationSet?: string,
  ) {}

  async send(email: OutgoingEmail): Promise<{ messageId: string }> {
    if (!email.to?.includes('@')) throw new Error('Recipient address missing');
    const raw = buildMime(email);
    const out = await this.ses.send(
      new SendEmailCommand({
        FromEmailAddress: email.from,
        Destination: { ToAddresses: [email.to] },
        Content: { Raw: { Data: raw } },
        ...(this.configurationSet ? { ConfigurationSetName: this.configurationSet } : {}),
      }),
    );
    return { messageId: out.MessageId ?? 'unknown' };
  }
}
