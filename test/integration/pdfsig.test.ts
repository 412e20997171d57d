import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureDebianTool } from '../support/debian-tool';
import { api, bytes, login, sha256 } from './client';

/**
 * Poppler's pdfsig (what Evince and Okular use) judges the seal of a real final PDF issued by the running
 * stack; a changed byte is a digest mismatch. Poppler is installed with apt when missing — never skipped.
 */
let pdfsig: string;

beforeAll(() => {
  pdfsig = ensureDebianTool({
    binary: '/usr/bin/pdfsig',
    pkg: 'poppler-utils',
    versionArgs: ['-v'],
    purpose: 'The seal tests',
  });
}, 600_000);

function check(pdf: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'pdfsig-'));
  const file = join(dir, 'consent.pdf');
  writeFileSync(file, pdf);
  try {
    return execFileSync(pdfsig, ['-nocert', file], { encoding: 'utf8' });
  } catch (err) {
    // pdfsig exits non-zero for an invalid signature; its report is still on stdout.
    return String((err as { stdout?: string }).stdout ?? '');
  }
}

describe('the final PDF, judged by Poppler', () => {
  it('has a valid seal over the whole document, and a changed byte is a digest mismatch', async () => {
    const coordinator = await login('coordinator');
    const doctor = await login('doctor');
    const s = await api.signed(coordinator);
    const c = await api.countersign(doctor, s.consentId);
    expect(c.status).toBe(200);
    const download = await api.call('GET', `/clinic/consents/${s.consentId}/pdf`, { token: doctor });
    const pdf = bytes(download);
    expect(sha256(pdf)).toBe(c.body.pdfSha256);

    const report = check(pdf);
    expect(report).toContain('Signature Type: ETSI.CAdES.detached');
    expect(report).toContain('Total document signed');
    expect(report).toContain('Signature is Valid');

    const tampered = Buffer.from(pdf);
    tampered[200] = (tampered[200] ?? 0) ^ 0x01;
    expect(check(tampered)).toMatch(/Digest Mismatch/);
  });
});
