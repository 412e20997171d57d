import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { summariseRepeats } from '../../../functions/documents/pdf/audit-page';
import { renderConsentPdf } from '../../../functions/documents/pdf/render-consent';
import { staffPdf } from '../../../functions/workflow/consent-views';
import { patientPdf, recordLinkOpened } from '../../../functions/workflow/intake';
import { countersignConsent } from '../../../functions/workflow/review';
import { verifyPdf } from '../../../functions/workflow/verify';
import { doctor, meta, newWorld } from '../../fakes/world';

const DAY = 24 * 3600_000;

/**
 * Nobody outside the clinic can bloat a consent: look-ups are recorded at most once a day per actor and
 * detail, public checks not at all, and the audit page prints repeats as one row.
 */
describe('bounded audit trail', () => {
  it('a year of link opens and downloads (dozens a day) and thousands of checks leave a countersignable consent with a small PDF', async () => {
    const w = await newWorld();
    const s = await w.signed();
    const ctx = await w.open(s.token);
    const v1 = (await w.store.getPdf('demo', s.consentId, 1))?.bytes as Uint8Array;
    const eventsAtSigning = (await w.store.listEvents('demo', s.consentId)).length;
    for (let day = 0; day < 365; day++) {
      for (let i = 0; i < 24; i++) {
        await recordLinkOpened(w.deps, ctx, meta);
        await patientPdf(w.deps, ctx, meta);
        w.clock.advance(3600_000 / 2);
      }
      await staffPdf(w.deps, doctor, s.consentId, meta);
      w.clock.advance(DAY / 2);
    }
    for (let i = 0; i < 2000; i++)
      await verifyPdf({ store: w.store, checkSeal: () => ({ present: false, intact: false }) }, v1);
    const events = await w.store.listEvents('demo', s.consentId);
    // One link_opened, one patient download and one staff download per day at most.
    expect(events.length - eventsAtSigning).toBeLessThanOrEqual(3 * 366);
    expect(events.filter((e) => e.type === 'verified')).toEqual([]);

    const final = await countersignConsent(
      { ...w.deps, renderPdf: renderConsentPdf, sealPdf: null },
      doctor,
      s.consentId,
      { signature: { kind: 'typed', name: 'Sara Nasser' }, findingNotes: {} },
      meta,
    );
    expect(final.status).toBe('countersigned');
    const pdf = (await w.store.getPdf('demo', s.consentId, 2))?.bytes as Uint8Array;

    // The same consent opened and downloaded once: the year of repeats adds three summary notes (a line
    // each), not hundreds of rows.
    const c = await w.signed();
    const cctx = await w.open(c.token);
    await recordLinkOpened(w.deps, cctx, meta);
    await patientPdf(w.deps, cctx, meta);
    await staffPdf(w.deps, doctor, c.consentId, meta);
    await countersignConsent(
      { ...w.deps, renderPdf: renderConsentPdf, sealPdf: null },
      doctor,
      c.consentId,
      { signature: { kind: 'typed', name: 'Sara Nasser' }, findingNotes: {} },
      meta,
    );
    const control = (await w.store.getPdf('demo', c.consentId, 2))?.bytes as Uint8Array;
    const pages = async (b: Uint8Array) => (await PDFDocument.load(b)).getPageCount();
    expect(await pages(pdf)).toBeLessThanOrEqual((await pages(control)) + 1);
    expect(pdf.length).toBeLessThan(control.length + 3_000);
    expect(pdf.length).toBeLessThan(80_000);
  }, 60_000);

  it('summariseRepeats: same look-up by the same actor is one row with its count and last time; state changes stay', () => {
    const base = { schemaVersion: 1, consentId: 'C', actor: { kind: 'patient' as const, id: 'link-holder' } };
    const opened = (at: string, channel: 'email' | 'handover') =>
      ({ ...base, type: 'link_opened', at, data: { channel } }) as const;
    const rows = summariseRepeats([
      opened('2026-01-01T00:00:00Z', 'email'),
      { ...base, type: 'answers_submitted', at: '2026-01-01T00:01:00Z', data: { locale: 'en' } },
      opened('2026-01-02T00:00:00Z', 'email'),
      opened('2026-01-02T00:00:01Z', 'handover'),
      opened('2026-01-03T00:00:00Z', 'email'),
    ]);
    expect(rows.map((r) => [r.event.type, r.count, r.lastAt])).toEqual([
      ['link_opened', 3, '2026-01-03T00:00:00Z'],
      ['answers_submitted', 1, '2026-01-01T00:01:00Z'],
      ['link_opened', 1, '2026-01-02T00:00:01Z'],
    ]);
  });
});
