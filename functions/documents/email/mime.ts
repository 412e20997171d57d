import { randomBytes } from 'node:crypto';

/**
 * A small RFC 5322 / MIME builder for SES raw messages: multipart/mixed with a text+HTML
 * alternative and base64 attachments. Header values are RFC 2047 encoded (Arabic subjects and
 * names survive), and anything with CR/LF is refused outright — no header injection.
 */
export interface MimeMessage {
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments?: Array<{ filename: string; contentType: string; content: Uint8Array }>;
  date?: Date;
  messageIdDomain?: string;
}

function assertHeaderSafe(value: string, name: string): void {
  if (/[\r\n\0]/.test(value)) throw new Error(`Header ${name} contains a line break`);
}

export function encodeHeader(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return value;
  // Encoded words must stay under 75 characters: split on code points, ~40 bytes per word.
  const words: string[] = [];
  let chunk = '';
  for (const ch of value) {
    if (Buffer.byteLength(chunk + ch) > 39) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join('\r\n ');
}

/** "Name <a@b>" with the display name encoded when not plain ASCII. */
export function encodeAddress(address: string): string {
  const m = /^(.*)<([^>]+)>\s*$/.exec(address);
  if (!m) return address.trim();
  const name = (m[1] ?? '').trim().replace(/^"|"$/g, '');
  const encoded = encodeHeader(name);
  return name ? `${encoded === name ? `"${name.replace(/["\\]/g, '')}"` : encoded} <${m[2]}>` : `<${m[2]}>`;
}

function base64Lines(data: Uint8Array | string): string {
  return (
    Buffer.from(data)
      .toString('base64')
      .match(/.{1,76}/g) ?? []
  ).join('\r\n');
}

export function buildMime(msg: MimeMessage): Uint8Array {
  for (const [name, value] of [
    ['From', msg.from],
    ['To', msg.to],
    ['Subject', msg.subject],
  ] as const) {
    assertHeaderSafe(value, name);
  }
  const mixed = `mixed_${randomBytes(12).toString('hex')}`;
  const alt = `alt_${randomBytes(12).toString('hex')}`;
  const lines = [
    `From: ${encodeAddress(msg.from)}`,
    `To: ${encodeAddress(msg.to)}`,
    `Subject: ${encodeHeader(msg.subject)}`,
    `Date: ${(msg.date ?? new Date()).toUTCString()}`,
    `Message-ID: <${randomBytes(16).toString('hex')}@${msg.messageIdDomain ?? 'consents.local'}>`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/mixed; boundary="${mixed}"`,
    '',
    `--${mixed}`,
    `Content-Type: multipart/alternative; boundary="${alt}"`,
    '',
    `--${alt}`,
    'Content-Type: text/plain; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(msg.text),
    `--${alt}`,
    'Content-Type: text/html; charset=UTF-8',
    'Content-Transfer-Encoding: base64',
    '',
    base64Lines(msg.html),
    `--${alt}--`,
  ];
  for (const a of msg.attachments ?? []) {
    assertHeaderSafe(a.filename, 'filename');
    const safeName = a.filename.replace(/[^A-Za-z0-9._-]/g, '_');
    lines.push(
      `--${mixed}`,
      `Content-Type: ${a.contentType}; name="${safeName}"`,
      `Content-Disposition: attachment; filename="${safeName}"`,
      'Content-Transfer-Encoding: base64',
      '',
      base64Lines(a.content),
    );
  }
  lines.push(`--${mixed}--`, '');
  return Buffer.from(lines.join('\r\n'));
}
