import { describe, expect, it } from 'vitest';
import { listQuerySchema } from '../../functions/contract/clinic';
import { localDaySpan } from '../../functions/domain/time';
import { listConsents } from '../../functions/workflow/consent-views';
import { coordinator, demoClinic, newWorld } from '../fakes/world';

/** GET /clinic/consents `from`/`to`: real calendar days in the documented range, on the clinic's calendar. */
const parse = (q: Record<string, string>) => listQuerySchema.safeParse(q);

describe('the list query schema', () => {
  it.each([
    '1969-12-31',
    '1999-12-31',
    '2101-01-01',
    '2023-02-30',
    '2023-02-29',
    '2026-13-01',
    '2026-00-10',
    '2026-04-31',
    '2026-1-01',
    '20261201',
    '2026-12-01T00:00',
    '',
  ])('refuses %j for from and for to', (day) => {
    expect(parse({ from: day }).success).toBe(false);
    expect(parse({ to: day }).success).toBe(false);
  });

  it.each(['2000-01-01', '2100-12-31', '2024-02-29', '2026-12-02'])('accepts %j', (day) => {
    expect(parse({ from: day, to: day })).toMatchObject({ success: true, data: { from: day, to: day } });
  });

  it('refuses from after to, naming `from`', () => {
    const r = parse({ from: '2026-12-03', to: '2026-12-02' });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.path).toEqual(['from']);
  });
});

describe('local calendar days', () => {
  it('a Dubai day runs from 20:00 UTC the day before; a Cairo day (summer time) from 21:00', () => {
    expect(localDaySpan('2026-12-02', 'Asia/Dubai')).toEqual({
      start: Date.parse('2026-12-01T20:00:00.000Z'),
      end: Date.parse('2026-12-02T19:59:59.999Z'),
    });
    expect(localDaySpan('2026-07-01', 'Africa/Cairo')).toEqual({
      start: Date.parse('2026-06-30T21:00:00.000Z'),
      end: Date.parse('2026-07-01T20:59:59.999Z'),
    });
  });
});

describe('listConsents by day, in the branch time zone', () => {
  it('a consent created at 01:48 in Dubai on 2 December (21:48 UTC on the 1st) is on 2 December', async () => {
    const w = await newWorld();
    w.clock.set('2026-12-01T21:48:00.000Z');
    const inv = await w.invited();
    const days = async (from: string, to: string) =>
      (await listConsents(w.deps, coordinator, { limit: 50, from, to })).items.map((i) => i.consentId);
    expect(await days('2026-12-02', '2026-12-02')).toEqual([inv.inviteId]);
    expect(await days('2026-12-01', '2026-12-01')).toEqual([]);
    expect(await days('2026-12-03', '2026-12-31')).toEqual([]);
    expect(await days('2026-11-01', '2026-12-02')).toEqual([inv.inviteId]);
  });

  it("each consent is judged by its own branch's zone (Dubai and Cairo in one clinic)", async () => {
    const w = await newWorld();
    const clinic = {
      ...demoClinic,
      branches: [
        ...demoClinic.branches,
        { id: 'cairo', name: 'Cairo', phone: '+20 2 0', whatsapp: '+20 100', timeZone: 'Africa/Cairo' },
      ],
    };
    await w.store.putClinic(clinic);
    // 23:30 UTC on 1 December: 03:30 on the 2nd in Dubai, 01:30 on the 2nd in Cairo.
    w.clock.set('2026-12-01T23:30:00.000Z');
    const dubai = await w.invited({ branchId: 'jumeirah' });
    // 21:30 UTC on 2 December: 01:30 on the 3rd in Dubai, 23:30 on the 2nd in Cairo.
    w.clock.set('2026-12-02T21:30:00.000Z');
    const cairo = await w.invited({ branchId: 'cairo' });
    const list = async (q: { from?: string; to?: string; branchId?: string }) =>
      (await listConsents(w.deps, coordinator, { limit: 50, ...q })).items.map((i) => i.consentId);
    expect(await list({ from: '2026-12-02', to: '2026-12-02' })).toEqual([cairo.inviteId, dubai.inviteId]);
    expect(await list({ from: '2026-12-03', to: '2026-12-03' })).toEqual([]);
    expect(await list({ from: '2026-12-02', to: '2026-12-02', branchId: 'cairo' })).toEqual([cairo.inviteId]);
    expect(await list({ to: '2026-12-01' })).toEqual([]);
    expect(await list({ from: '2026-12-03' })).toEqual([]);
  });
});
