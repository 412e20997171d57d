import { describe, expect, it } from 'vitest';
import { newUlid, ULID_PATTERN, ulidBound } from '../../functions/domain/ids';
import {
  hashLinkToken,
  isWellFormedToken,
  maskEmail,
  maskPhone,
  newLinkToken,
} from '../../functions/domain/tokens';
import { matchPath, routes } from '../../infra/routes';

describe('link tokens', () => {
  it('carry 256 random bits, base64url, and are never equal', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => newLinkToken()));
    expect(tokens.size).toBe(1000);
    for (const t of tokens) {
      expect(isWellFormedToken(t)).toBe(true);
      expect(Buffer.from(t, 'base64url')).toHaveLength(32);
    }
  });

  it('are stored only as a SHA-256 hash that does not contain the token', () => {
    const t = newLinkToken();
    const h = hashLinkToken(t);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(h).not.toContain(t);
    expect(hashLinkToken(t)).toBe(h);
  });

  it('mask contact details for the evidence page', () => {
    expect(maskEmail('layla@example.test')).toBe('l***@example.test');
    expect(maskPhone('+971 50 000 0001')).toBe('+971 *** **01');
  });
});

describe('consent ids', () => {
  it('are ULIDs that sort by creation time', () => {
    const a = newUlid(1_700_000_000_000);
    const b = newUlid(1_700_000_000_001);
    expect(a).toMatch(ULID_PATTERN);
    expect(a < b).toBe(true);
    expect(ulidBound(1_700_000_000_000, 'min') <= a).toBe(true);
    expect(ulidBound(1_700_000_000_000, 'max') >= a).toBe(true);
  });
});

describe('route table', () => {
  it('matches path templates and decodes parameters', () => {
    expect(matchPath('/intake/{token}/answers', '/intake/abc/answers')).toEqual({ token: 'abc' });
    expect(matchPath('/intake/{token}', '/intake/abc/answers')).toBeNull();
    expect(matchPath('/intake/{token}', '/intake/')).toBeNull();
  });

  it('covers every API.md route once, with the local login local-only', () => {
    const keys = routes.map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const k of [
      'GET /intake/{token}',
      'POST /intake/{token}/answers',
      'POST /intake/{token}/signature',
      'GET /intake/{token}/consent.pdf',
      'POST /clinic/invites',
      'GET /clinic/consents',
      'GET /clinic/consents/{consentId}',
      'GET /clinic/consents/{consentId}/pdf',
      'POST /clinic/consents/{consentId}/countersign',
      'POST /clinic/consents/{consentId}/decline',
      'POST /verify',
      'POST /local/login',
    ]) {
      expect(keys).toContain(k);
    }
    expect(routes.filter((r) => r.localOnly).map((r) => r.path)).toEqual(['/local/login']);
    expect(routes.filter((r) => r.path.startsWith('/clinic/')).every((r) => r.auth === 'staff')).toBe(true);
  });
});
