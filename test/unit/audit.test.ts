import { describe, expect, it } from 'vitest';
import { AUDIT_EVENT_TYPES, auditEvent, parseAuditEvent } from '../../functions/domain/audit';

const actor = { kind: 'patient' as const, id: 'link-holder' };
const at = '2026-11-21T10:00:00.000Z';

describe('typed audit events', () => {
  it('reads back what it wrote, typed by its event type', () => {
    const written = auditEvent(
      'C1',
      'screening_result',
      at,
      actor,
      { ip: '203.0.113.9', userAgent: 'x' },
      {
        outcome: 'needs_review',
        findings: 'bloodThinners:review',
      },
    );
    const stored = { ...written, pk: 'CLINIC#demo', sk: 'EVENT#C1#…' };
    const read = parseAuditEvent(stored);
    expect(read).toEqual(written);
    if (read.type !== 'screening_result') throw new Error('wrong type');
    expect(read.data.outcome).toBe('needs_review');
  });

  it('refuses an event whose data does not match its type, or an unknown type', () => {
    const base = { schemaVersion: 1, consentId: 'C1', at, actor };
    expect(() =>
      parseAuditEvent({ ...base, type: 'link_opened', data: { channel: 'carrier-pigeon' } }),
    ).toThrow();
    expect(() => parseAuditEvent({ ...base, type: 'signed', data: { signature: 'drawn' } })).toThrow();
    expect(() => parseAuditEvent({ ...base, type: 'teleported', data: {} })).toThrow(
      /Unknown audit event type/,
    );
    expect(() =>
      parseAuditEvent({ ...base, type: 'email_failed', data: { mail: 'invite', error: 'a b@c' } }),
    ).toThrow();
  });

  it('is a closed set: every type has a schema', () => {
    expect(AUDIT_EVENT_TYPES).toContain('countersigned');
    expect(new Set(AUDIT_EVENT_TYPES).size).toBe(AUDIT_EVENT_TYPES.length);
  });
});
