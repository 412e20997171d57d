import { describe, expect, it } from 'vitest';
import { exactBody, type HttpEvent } from '../../functions/http/api';
import { isTextContentType } from '../../infra/local/server';

/** /verify's bytes: exact when API Gateway base64-encoded them, or when a text body is pure ASCII. */
const event = (body: string, isBase64Encoded: boolean) => ({ body, isBase64Encoded }) as unknown as HttpEvent;
const pdf = Buffer.concat([Buffer.from('%PDF-1.7\n%'), Buffer.from([0xe2, 0xe3, 0xcf, 0xd3, 0xff, 0x00])]);

describe('exactBody', () => {
  it('base64-encoded bodies come back byte for byte', () => {
    expect(exactBody(event(pdf.toString('base64'), true))?.equals(pdf)).toBe(true);
  });

  it('a text body that is pure ASCII is exact; one that was decoded from other bytes is not trusted', () => {
    expect(exactBody(event('%PDF-1.4 plain ascii', false))?.toString('latin1')).toBe('%PDF-1.4 plain ascii');
    expect(exactBody(event(pdf.toString('utf8'), false))).toBeUndefined();
  });
});

describe('which content types API Gateway hands over as text', () => {
  it.each(['text/plain', 'text/plain; charset=utf-8', 'application/json', 'application/xml', 'TEXT/HTML'])(
    '%s is text',
    (type) => expect(isTextContentType(type)).toBe(true),
  );
  it.each([
    'application/pdf',
    'application/x-www-form-urlencoded',
    'application/octet-stream',
    '',
    'multipart/form-data; boundary=x',
  ])('%j is bytes (base64)', (type) => expect(isTextContentType(type)).toBe(false));
});
