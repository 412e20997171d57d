import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuditEvent, AuditEventData, AuditEventType } from '../../functions/domain/audit';
import { ConflictError, ValidationFailedError } from '../../functions/domain/errors';
import { newUlid, sha256Hex } from '../../functions/domain/ids';
import type { ConsentRecord, ConsentStatus, PdfVersionRef } from '../../functions/domain/model';
import type { ConsentStore, IntakeLink, MailKind, OutboxMail } from '../../functions/workflow/ports';

/**
 * The ConsentStore contract: the same cases run against the in-memory store (test/unit/memory-store.test.ts)
 * and the DynamoDB adapter on DynamoDB Local (test/integration/store-contract.test.ts), so a use-case test
 * on the memory store proves what it would prove on the table. `fresh()` gives an empty store per case.
 */
export function storeContract(fresh: () => Promise<ConsentStore>): void {
  const clinicId = () => `c-${randomBytes(4).toString('hex')}`;
  const at = (minute: number) => new Date(Date.UTC(2026, 10, 21, 8, minute)).toISOString();

  function record(c: string, overrides: Partial<ConsentRecord> = {}, createdMs = Date.UTC(2026, 10, 21, 8)) {
    const consentId = overrides.consentId ?? newUlid(createdMs);
    const base: ConsentRecord = {
      clinicId: c,
      consentId,
      status: 'invited',
      treatmentId: 'mesotherapy',
      templateVersion: '2026.11.1',
      templateSha256: 'abc',
      branchId: 'jumeirah',
      patient: { fullName: 'Layla Haddad', email: 'layla@example.test', locale: 'en' },
      locale: 'en',
      linkExpiresAt: '2026-12-05T08:00:00.000Z',
      createdAt: new Date(createdMs).toISOString(),
      createdBy: 'staff',
      updatedAt: new Date(createdMs).toISOString(),
      pdfVersions: [],
      rev: 1,
    };
    return { ...base, ...overrides, consentId };
  }
  const event = (consentId: string, type: AuditEventType, when: string): AuditEvent =>
    ({
      schemaVersion: 1,
      consentId,
      type,
      at: when,
      actor: { kind: 'system', id: 'test' },
      data: SAMPLE_DATA[type],
    }) as AuditEvent;
  const mail = (c: ConsentRecord, kind: MailKind, overrides: Partial<OutboxMail> = {}): OutboxMail => ({
    clinicId: c.clinicId,
    consentId: c.consentId,
    kind,
    to: 'archive@example.test',
    locale: 'en',
    status: 'pending',
    attempts: 0,
    createdAt: at(0),
    nextAttemptAt: at(0),
    ...overrides,
  });
  const link = (c: ConsentRecord): IntakeLink => ({
    tokenHash: sha256Hex(randomBytes(16)),
    clinicId: c.clinicId,
    consentId: c.consentId,
    expiresAt: c.linkExpiresAt,
    channel: 'handover',
    createdAt: at(0),
  });
  const pdf = (version: number, content = `pdf ${version} ${randomBytes(4).toString('hex')}`) => {
    const bytes = new TextEncoder().encode(content);
    const ref: PdfVersionRef = {
      version,
      kind: version === 1 ? 'patient_signed' : 'countersigned',
      sha256: sha256Hex(bytes),
      createdAt: at(version),
      bytes: bytes.length,
    };
    return { ref, bytes };
  };
  /** Creates a consent and returns it as stored. */
  async function created(store: ConsentStore, c: ConsentRecord) {
    await store.writeConsent({
      consent: c,
      expectedRev: null,
      events: [event(c.consentId, 'invited', at(0))],
    });
    return c;
  }

  describe('clinic directory', () => {
    it('clinics and staff round-trip; staff are found by e-mail whatever its case', async () => {
      const store = await fresh();
      const c = clinicId();
      const clinic = {
        clinicId: c,
        name: 'Demo',
        archiveEmail: 'archive@example.test',
        defaultBranchId: 'b1',
        branches: [{ id: 'b1', name: 'One', phone: '1', whatsapp: '2', timeZone: 'Asia/Dubai' }],
      };
      await store.putClinic(clinic);
      expect(await store.getClinic(c)).toEqual(clinic);
      expect(await store.getClinic(clinicId())).toBeUndefined();
      await store.putClinic({ ...clinic, name: 'Renamed' });
      expect((await store.getClinic(c))?.name).toBe('Renamed');
      const staff = { clinicId: c, email: 'Dr.Sara@Example.test', name: 'Sara', role: 'doctor' as const };
      await store.putStaff(staff);
      expect(await store.getStaff(c, 'dr.sara@example.TEST')).toEqual(staff);
      expect(await store.getStaff(clinicId(), staff.email)).toBeUndefined();
    });
  });

  describe('links', () => {
    it('a link is write-once: a second put of the same hash is a ConflictError', async () => {
      const store = await fresh();
      const l = link(record(clinicId()));
      await store.putLink(l);
      expect(await store.getLink(l.tokenHash)).toEqual(l);
      await expect(store.putLink({ ...l, channel: 'email' })).rejects.toBeInstanceOf(ConflictError);
      expect((await store.getLink(l.tokenHash))?.channel).toBe('handover');
      expect(await store.getLink(sha256Hex('nothing'))).toBeUndefined();
    });
  });

  describe('writeConsent', () => {
    it('creates the consent with its link, events and outbox items in one write', async () => {
      const store = await fresh();
      const c = record(clinicId());
      const l = link(c);
      await store.writeConsent({
        consent: c,
        expectedRev: null,
        link: l,
        events: [event(c.consentId, 'invited', at(0))],
        mails: [mail(c, 'invite')],
      });
      expect(await store.getConsent(c.clinicId, c.consentId)).toEqual(c);
      expect(await store.getLink(l.tokenHash)).toEqual(l);
      expect((await store.listEvents(c.clinicId, c.consentId)).map((e) => e.type)).toEqual(['invited']);
      expect(await store.getMail(c.clinicId, c.consentId, 'invite')).toEqual(mail(c, 'invite'));
      expect(await store.getConsent(clinicId(), c.consentId)).toBeUndefined();
    });

    it('creating an existing consent is a ConflictError and writes nothing of it', async () => {
      const store = await fresh();
      const c = await created(store, record(clinicId()));
      const l = link(c);
      await expect(
        store.writeConsent({
          consent: { ...c, status: 'answered' },
          expectedRev: null,
          link: l,
          events: [event(c.consentId, 'answers_submitted', at(1))],
          mails: [mail(c, 'invite')],
        }),
      ).rejects.toBeInstanceOf(ConflictError);
      expect((await store.getConsent(c.clinicId, c.consentId))?.status).toBe('invited');
      expect(await store.getLink(l.tokenHash)).toBeUndefined();
      expect((await store.listEvents(c.clinicId, c.consentId)).map((e) => e.type)).toEqual(['invited']);
      expect(await store.listMails(c.clinicId, c.consentId)).toEqual([]);
    });

    it('an update conditioned on the stored revision and status succeeds', async () => {
      const store = await fresh();
      const c = await created(store, record(clinicId()));
      const next = { ...c, status: 'answered' as const, rev: 2, updatedAt: at(1) };
      await store.writeConsent({
        consent: next,
        expectedRev: 1,
        expectedStatus: ['invited', 'answered'],
        events: [event(c.consentId, 'answers_submitted', at(1))],
      });
      expect(await store.getConsent(c.clinicId, c.consentId)).toEqual(next);
    });

    it('a stale revision, a wrong status or a missing record is a ConflictError; nothing is written', async () => {
      const store = await fresh();
      const c = await created(store, record(clinicId()));
      const p = pdf(1);
      const attempt = (expectedRev: number, expectedStatus: ConsentStatus[], consent = c) =>
        store.writeConsent({
          consent: { ...consent, status: 'awaiting_countersign', rev: expectedRev + 1 },
          expectedRev,
          expectedStatus,
          events: [event(consent.consentId, 'signed', at(2))],
          pdf: p,
          mails: [mail(consent, 'signed_notice')],
        });
      await expect(attempt(2, ['invited'])).rejects.toBeInstanceOf(ConflictError);
      await expect(attempt(1, ['answered'])).rejects.toBeInstanceOf(ConflictError);
      const missing = record(c.clinicId, {}, Date.UTC(2026, 10, 21, 9));
      await expect(attempt(1, [], missing)).rejects.toBeInstanceOf(ConflictError);
      expect(await store.getConsent(c.clinicId, c.consentId)).toEqual(c);
      expect(await store.getConsent(c.clinicId, missing.consentId)).toBeUndefined();
      expect((await store.listEvents(c.clinicId, c.consentId)).map((e) => e.type)).toEqual(['invited']);
      expect(await store.listMails(c.clinicId, c.consentId)).toEqual([]);
      expect(await store.getPdf(c.clinicId, c.consentId, 1)).toBeUndefined();
      expect(await store.findPdfByHash(p.ref.sha256)).toBeUndefined();
    });

    it('without expectedStatus only the revision is checked', async () => {
      const store = await fresh();
      const c = await created(store, record(clinicId(), { status: 'answered' }));
      await store.writeConsent({ consent: { ...c, rev: 2, linkRevoked: true }, expectedRev: 1, events: [] });
      expect((await store.getConsent(c.clinicId, c.consentId))?.linkRevoked).toBe(true);
    });

    it('of two writes from the same revision exactly one wins', async () => {
      const store = await fresh();
      const c = await created(store, record(clinicId()));
      const results = await Promise.allSettled(
        ['a', 'b'].map((who) =>
          store.writeConsent({
            consent: { ...c, rev: 2, createdBy: who },
            expectedRev: 1,
            events: [event(c.consentId, 'answers_submitted', at(1))],
          }),
        ),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(lost.reason).toBeInstanceOf(ConflictError);
      expect(await store.listEvents(c.clinicId, c.consentId)).toHaveLength(2);
    });

    it('PDF versions are write-once, by version and by hash; the bytes and the hash lookup round-trip', async () => {
      const store = await fresh();
      const c = await created(store, record(clinicId(), { status: 'answered' }));
      const p1 = pdf(1);
      const signed = { ...c, status: 'awaiting_countersign' as const, rev: 2, pdfVersions: [p1.ref] };
      await store.writeConsent({ consent: signed, expectedRev: 1, events: [], pdf: p1 });
      const got = await store.getPdf(c.clinicId, c.consentId, 1);
      expect(got).toEqual({ clinicId: c.clinicId, consentId: c.consentId, ref: p1.ref, bytes: p1.bytes });
      expect(got?.bytes).toBeInstanceOf(Uint8Array);
      expect(await store.findPdfByHash(p1.ref.sha256)).toEqual({
        clinicId: c.clinicId,
        consentId: c.consentId,
        ref: p1.ref,
      });
      expect(await store.getPdf(c.clinicId, c.consentId, 2)).toBeUndefined();
      expect(await store.findPdfByHash(sha256Hex('other'))).toBeUndefined();
      // The same version again (current revision): refused, nothing of the write lands.
      const again = pdf(1);
      await expect(
        store.writeConsent({ consent: { ...signed, rev: 3 }, expectedRev: 2, events: [], pdf: again }),
      ).rejects.toBeInstanceOf(ConflictError);
      expect((await store.getConsent(c.clinicId, c.consentId))?.rev).toBe(2);
      expect(await store.findPdfByHash(again.ref.sha256)).toBeUndefined();
      // A new version whose bytes were issued before: the hash lookup is write-once too.
      const sameBytes = { ref: { ...p1.ref, version: 2, kind: 'countersigned' as const }, bytes: p1.bytes };
      await expect(
        store.writeConsent({ consent: { ...signed, rev: 3 }, expectedRev: 2, events: [], pdf: sameBytes }),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(await store.getPdf(c.clinicId, c.consentId, 2)).toBeUndefined();
    });

    it('a PDF larger than a 400 KB item round-trips whole and write-once (the adapter stores it in parts)', async () => {
      const store = await fresh();
      const c = await created(store, record(clinicId(), { status: 'answered' }));
      const bytes = new Uint8Array(randomBytes(900 * 1024));
      const ref: PdfVersionRef = {
        version: 1,
        kind: 'patient_signed',
        sha256: sha256Hex(bytes),
        createdAt: at(1),
        bytes: bytes.length,
      };
      const signed = { ...c, status: 'awaiting_countersign' as const, rev: 2, pdfVersions: [ref] };
      await store.writeConsent({ consent: signed, expectedRev: 1, events: [], pdf: { ref, bytes } });
      const got = await store.getPdf(c.clinicId, c.consentId, 1);
      expect(got?.ref).toEqual(ref);
      expect(got?.bytes.length).toBe(bytes.length);
      expect(sha256Hex(got?.bytes as Uint8Array)).toBe(ref.sha256);
      expect((await store.findPdfByHash(ref.sha256))?.consentId).toBe(c.consentId);
      const other = new Uint8Array(randomBytes(500 * 1024));
      const again = { ref: { ...ref, sha256: sha256Hex(other), bytes: other.length }, bytes: other };
      await expect(
        store.writeConsent({ consent: { ...signed, rev: 3 }, expectedRev: 2, events: [], pdf: again }),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(sha256Hex((await store.getPdf(c.clinicId, c.consentId, 1))?.bytes as Uint8Array)).toBe(
        ref.sha256,
      );
      expect(await store.findPdfByHash(again.ref.sha256)).toBeUndefined();
    });

    it('PDF bytes that do not match the version’s hash are never served', async () => {
      const store = await fresh();
      const c = await created(store, record(clinicId(), { status: 'answered' }));
      const p = pdf(1);
      const wrong = { ref: { ...p.ref, sha256: sha256Hex('something else') }, bytes: p.bytes };
      await store.writeConsent({ consent: { ...c, rev: 2 }, expectedRev: 1, events: [], pdf: wrong });
      await expect(store.getPdf(c.clinicId, c.consentId, 1)).rejects.toThrow(/hash/);
    });

    it('drawn signature images are write-once items of the state change; they round-trip by role', async () => {
      const store = await fresh();
      const c = await created(store, record(clinicId(), { status: 'answered' }));
      const png = new Uint8Array(randomBytes(200 * 1024));
      const image = { role: 'patient' as const, sha256: sha256Hex(png), png };
      await store.writeConsent({
        consent: { ...c, rev: 2 },
        expectedRev: 1,
        events: [],
        signatureImages: [image],
      });
      expect(await store.getSignatureImage(c.clinicId, c.consentId, 'patient')).toEqual(png);
      expect(await store.getSignatureImage(c.clinicId, c.consentId, 'doctor')).toBeUndefined();
      expect(await store.getSignatureImage(clinicId(), c.consentId, 'patient')).toBeUndefined();
      // Write-once: a second patient image is refused, and nothing of that write lands (not the doctor's).
      const doctor = { role: 'doctor' as const, sha256: sha256Hex('d'), png: new TextEncoder().encode('d') };
      const other = new Uint8Array(randomBytes(16));
      await expect(
        store.writeConsent({
          consent: { ...c, rev: 3 },
          expectedRev: 2,
          events: [],
          signatureImages: [doctor, { role: 'patient', sha256: sha256Hex(other), png: other }],
        }),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(await store.getSignatureImage(c.clinicId, c.consentId, 'patient')).toEqual(png);
      expect(await store.getSignatureImage(c.clinicId, c.consentId, 'doctor')).toBeUndefined();
      // A lost race writes no image either.
      await expect(
        store.writeConsent({
          consent: { ...c, rev: 3 },
          expectedRev: 1,
          events: [],
          signatureImages: [doctor],
        }),
      ).rejects.toBeInstanceOf(ConflictError);
      expect(await store.getSignatureImage(c.clinicId, c.consentId, 'doctor')).toBeUndefined();
      await store.writeConsent({
        consent: { ...c, rev: 3 },
        expectedRev: 2,
        events: [],
        signatureImages: [doctor],
      });
      expect(await store.getSignatureImage(c.clinicId, c.consentId, 'doctor')).toEqual(doctor.png);
    });

    it('an outbox item is write-once: queueing the same kind twice is a ConflictError', async () => {
      const store = await fresh();
      const c = await created(store, record(clinicId()));
      await store.writeConsent({
        consent: { ...c, rev: 2 },
        expectedRev: 1,
        events: [],
        mails: [mail(c, 'invite')],
      });
      await expect(
        store.writeConsent({
          consent: { ...c, rev: 3 },
          expectedRev: 2,
          events: [],
          mails: [mail(c, 'signed_notice'), mail(c, 'invite', { to: 'x@example.test' })],
        }),
      ).rejects.toBeInstanceOf(ConflictError);
      expect((await store.listMails(c.clinicId, c.consentId)).map((m) => [m.kind, m.to])).toEqual([
        ['invite', 'archive@example.test'],
      ]);
      expect((await store.getConsent(c.clinicId, c.consentId))?.rev).toBe(2);
    });

    it('values are copied in and out: mutating what was written or read changes nothing stored', async () => {
      const store = await fresh();
      const c = record(clinicId(), { answers: { concerns: ['wrinkles'] } });
      const p = pdf(1);
      const written = structuredClone(c);
      await store.writeConsent({ consent: written, expectedRev: null, events: [], pdf: p });
      written.patient.fullName = 'Changed';
      written.answers?.concerns && (written.answers.concerns as string[]).push('pores');
      p.bytes[0] = 0;
      const read = (await store.getConsent(c.clinicId, c.consentId)) as ConsentRecord;
      expect(read).toEqual(c);
      read.patient.fullName = 'Changed again';
      read.pdfVersions.push(p.ref);
      expect(await store.getConsent(c.clinicId, c.consentId)).toEqual(c);
      const bytes = (await store.getPdf(c.clinicId, c.consentId, 1))?.bytes as Uint8Array;
      expect(bytes[0]).toBe('p'.charCodeAt(0));
      bytes[1] = 0;
      expect((await store.getPdf(c.clinicId, c.consentId, 1))?.bytes[1]).toBe('d'.charCodeAt(0));
    });

    it('undefined fields are dropped, as the document client does', async () => {
      const store = await fresh();
      const c = record(clinicId(), { outcome: undefined, declineReason: undefined });
      await store.writeConsent({ consent: c, expectedRev: null, events: [] });
      const got = (await store.getConsent(c.clinicId, c.consentId)) as ConsentRecord;
      expect(Object.keys(got)).not.toContain('outcome');
      expect(Object.keys(got)).not.toContain('declineReason');
    });
  });

  describe('audit events', () => {
    it('listEvents returns one consent’s events of one clinic, ordered by time', async () => {
      const store = await fresh();
      const c = await created(store, record(clinicId()));
      const other = await created(store, record(c.clinicId, {}, Date.UTC(2026, 10, 21, 9)));
      await store.appendEvent(c.clinicId, event(c.consentId, 'signed', at(30)));
      await store.appendEvent(c.clinicId, event(c.consentId, 'link_opened', at(10)));
      await store.appendEvent(c.clinicId, event(other.consentId, 'link_opened', at(5)));
      await store.appendEvent(clinicId(), event(c.consentId, 'verified', at(20)));
      const events = await store.listEvents(c.clinicId, c.consentId);
      expect(events.map((e) => e.type)).toEqual(['invited', 'link_opened', 'signed']);
      expect(events[1]).toEqual(event(c.consentId, 'link_opened', at(10)));
    });

    it('events of the same time keep the order they were written in (answers_submitted before screening_result)', async () => {
      const store = await fresh();
      const c = record(clinicId());
      const types: AuditEvent['type'][] = [
        'invited',
        'link_opened',
        'answers_submitted',
        'screening_result',
        'signed',
      ];
      await store.writeConsent({
        consent: c,
        expectedRev: null,
        events: [...types, ...types].map((t) => event(c.consentId, t, at(1))),
      });
      for (const t of types) await store.appendEvent(c.clinicId, event(c.consentId, t, at(2)));
      const got = (await store.listEvents(c.clinicId, c.consentId)).map((e) => e.type);
      expect(got).toEqual([...types, ...types, ...types]);
    });
  });

  describe('listConsents', () => {
    /** Six consents a minute apart: names, branches and statuses vary; ids sort by creation time. */
    async function archive(store: ConsentStore) {
      const c = clinicId();
      const specs: Array<[string, string, ConsentStatus]> = [
        ['Layla Haddad', 'jumeirah', 'invited'],
        ['Omar Saleh', 'marina', 'awaiting_countersign'],
        ['Ｎour Khalil', 'jumeirah', 'awaiting_countersign'],
        ['Layla Aziz', 'marina', 'countersigned'],
        ['Huda Karim', 'jumeirah', 'awaiting_countersign'],
        ['Rami Layla-Nasser', 'jumeirah', 'declined'],
      ];
      const records: ConsentRecord[] = [];
      for (const [i, [fullName, branchId, status]] of specs.entries()) {
        const ms = Date.UTC(2026, 10, 21, 8, i);
        const email = `${fullName.split(' ')[0]?.toLowerCase()}@example.test`;
        records.push(
          await created(
            store,
            record(c, { patient: { fullName, email, locale: 'en' }, branchId, status }, ms),
          ),
        );
      }
      // A neighbour clinic's record never shows.
      await created(store, record(clinicId(), {}, Date.UTC(2026, 10, 21, 8, 3)));
      return { c, records, newestFirst: [...records].reverse() };
    }
    const ids = (items: ConsentRecord[]) => items.map((i) => i.consentId);
    async function allPages(
      store: ConsentStore,
      c: string,
      query: Parameters<ConsentStore['listConsents']>[1],
    ) {
      const pages: ConsentRecord[][] = [];
      let cursor: string | undefined;
      for (let i = 0; i < 20; i++) {
        const page = await store.listConsents(c, { ...query, ...(cursor ? { cursor } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(query.limit);
        pages.push(page.items);
        cursor = page.nextCursor;
        if (!cursor) break;
      }
      return pages;
    }

    it('lists newest first, full records', async () => {
      const store = await fresh();
      const { c, newestFirst } = await archive(store);
      const page = await store.listConsents(c, { limit: 50 });
      expect(page.items).toEqual(newestFirst);
      expect(page.nextCursor).toBeUndefined();
    });

    it('pages through with the cursor, each record once, in order; a full last page still has a cursor', async () => {
      const store = await fresh();
      const { c, newestFirst } = await archive(store);
      const pages = await allPages(store, c, { limit: 2 });
      expect(pages.map((p) => p.length)).toEqual([2, 2, 2, 0]);
      expect(ids(pages.flat())).toEqual(ids(newestFirst));
      const fours = await allPages(store, c, { limit: 4 });
      expect(fours.map((p) => p.length)).toEqual([4, 2]);
    });

    it('filters by status through the status index, newest first, with its own cursor', async () => {
      const store = await fresh();
      const { c, newestFirst } = await archive(store);
      const awaiting = newestFirst.filter((r) => r.status === 'awaiting_countersign');
      const pages = await allPages(store, c, { limit: 2, status: 'awaiting_countersign' });
      expect(ids(pages.flat())).toEqual(ids(awaiting));
      expect(pages[0]).toHaveLength(2);
      expect((await store.listConsents(c, { limit: 5, status: 'answered' })).items).toEqual([]);
    });

    it('filters by creation time (from/to, inclusive), with and without status', async () => {
      const store = await fresh();
      const { c, newestFirst } = await archive(store);
      const from = new Date(Date.UTC(2026, 10, 21, 8, 1)).toISOString();
      const to = new Date(Date.UTC(2026, 10, 21, 8, 4)).toISOString();
      const inWindow = newestFirst.filter((r) => r.createdAt >= from && r.createdAt <= to);
      expect(inWindow).toHaveLength(4);
      expect(ids((await store.listConsents(c, { limit: 50, from, to })).items)).toEqual(ids(inWindow));
      expect(ids((await store.listConsents(c, { limit: 50, from })).items)).toEqual(
        ids(newestFirst.filter((r) => r.createdAt >= from)),
      );
      expect(
        ids((await store.listConsents(c, { limit: 50, to, status: 'awaiting_countersign' })).items),
      ).toEqual(ids(inWindow.filter((r) => r.status === 'awaiting_countersign')));
    });

    it('a window before 1970 or ending before it starts holds nothing; a start before 1970 is no bound', async () => {
      const store = await fresh();
      const { c, newestFirst } = await archive(store);
      const before1970 = '1969-12-31T23:59:59.999Z';
      expect((await store.listConsents(c, { limit: 50, to: before1970 })).items).toEqual([]);
      expect(ids((await store.listConsents(c, { limit: 50, from: before1970 })).items)).toEqual(
        ids(newestFirst),
      );
      const later = '2026-11-21T09:00:00.000Z';
      const earlier = '2026-11-21T08:00:00.000Z';
      expect((await store.listConsents(c, { limit: 50, from: later, to: earlier })).items).toEqual([]);
    });

    it('searches name and e-mail case-insensitively (NFKC), and filters by branch, across pages', async () => {
      const store = await fresh();
      const { c, newestFirst } = await archive(store);
      const layla = newestFirst.filter((r) => /layla/i.test(`${r.patient.fullName} ${r.patient.email}`));
      expect(layla).toHaveLength(3);
      expect(ids((await store.listConsents(c, { limit: 50, q: 'LAYLA' })).items)).toEqual(ids(layla));
      expect(ids((await store.listConsents(c, { limit: 50, q: 'nour' })).items)).toEqual(
        ids(newestFirst.filter((r) => r.patient.fullName.startsWith('Ｎ'))),
      );
      expect(ids((await store.listConsents(c, { limit: 50, q: 'omar@example' })).items)).toHaveLength(1);
      const pages = await allPages(store, c, { limit: 1, q: 'layla' });
      expect(ids(pages.flat())).toEqual(ids(layla));
      const marina = newestFirst.filter((r) => r.branchId === 'marina');
      expect(ids((await store.listConsents(c, { limit: 50, branchId: 'marina' })).items)).toEqual(
        ids(marina),
      );
      expect(
        ids(
          (await store.listConsents(c, { limit: 50, branchId: 'jumeirah', q: 'layla', status: 'declined' }))
            .items,
        ),
      ).toEqual(ids(newestFirst.filter((r) => r.status === 'declined')));
    });

    it('also finds a consent by its id (printed on every PDF page) and by phone digits, however typed', async () => {
      const store = await fresh();
      const c = clinicId();
      const withPhone = await created(
        store,
        record(c, {
          patient: { fullName: 'Sara Ali', email: 'sara@example.test', phone: '+971501234567', locale: 'en' },
        }),
      );
      const other = await created(store, record(c, {}, Date.UTC(2026, 10, 21, 9, 0)));
      const find = async (q: string) => ids((await store.listConsents(c, { limit: 50, q })).items);
      expect(await find(withPhone.consentId)).toEqual([withPhone.consentId]);
      expect(await find(withPhone.consentId.toLowerCase())).toEqual([withPhone.consentId]);
      expect(await find(other.consentId)).toEqual([other.consentId]);
      for (const q of ['050 123 4567', '+971 50 123 4567', '971501234567', '123-4567']) {
        expect(await find(q), q).toEqual([withPhone.consentId]);
      }
    });

    it('a page of a selective filter holds the matches of at most 20 reads, and the cursor goes on', async () => {
      const store = await fresh();
      const c = clinicId();
      const rare = [];
      for (let i = 0; i < 24; i++) {
        const fullName = i === 0 || i === 23 ? 'Rare Name' : `Common ${i}`;
        const r = record(
          c,
          { patient: { fullName, email: `p${i}@example.test`, locale: 'en' } },
          Date.UTC(2026, 10, 21, 8, i),
        );
        await created(store, r);
        if (fullName === 'Rare Name') rare.unshift(r);
      }
      const first = await store.listConsents(c, { limit: 2, q: 'rare' });
      // Newest first: the newest matches at once, then 20 reads of one record each find nothing more.
      expect(ids(first.items)).toEqual([rare[0]?.consentId]);
      expect(first.nextCursor).toBeDefined();
      const second = await store.listConsents(c, { limit: 2, q: 'rare', cursor: first.nextCursor });
      expect(ids(second.items)).toEqual([rare[1]?.consentId]);
    });

    it('refuses a malformed cursor, another clinic’s, one of another list and one outside the date range', async () => {
      const store = await fresh();
      const { c } = await archive(store);
      const first = await store.listConsents(c, { limit: 2 });
      const byStatus = await store.listConsents(c, { limit: 1, status: 'awaiting_countersign' });
      const bad = [
        'not-base64-json!',
        Buffer.from('[1,2]').toString('base64url'),
        Buffer.from(JSON.stringify({ pk: 'CLINIC#other', sk: `CONSENT#${newUlid()}` })).toString('base64url'),
      ];
      for (const cursor of bad) {
        await expect(store.listConsents(c, { limit: 2, cursor })).rejects.toBeInstanceOf(
          ValidationFailedError,
        );
      }
      await expect(
        store.listConsents(clinicId(), { limit: 2, cursor: first.nextCursor }),
      ).rejects.toBeInstanceOf(ValidationFailedError);
      await expect(
        store.listConsents(c, { limit: 2, status: 'invited', cursor: first.nextCursor }),
      ).rejects.toBeInstanceOf(ValidationFailedError);
      await expect(store.listConsents(c, { limit: 2, cursor: byStatus.nextCursor })).rejects.toBeInstanceOf(
        ValidationFailedError,
      );
      await expect(
        store.listConsents(c, { limit: 2, status: 'declined', cursor: byStatus.nextCursor }),
      ).rejects.toBeInstanceOf(ValidationFailedError);
      // The first page's cursor points at minute 4; a list that ends at minute 2 does not contain it.
      const to = new Date(Date.UTC(2026, 10, 21, 8, 2)).toISOString();
      await expect(store.listConsents(c, { limit: 2, to, cursor: first.nextCursor })).rejects.toBeInstanceOf(
        ValidationFailedError,
      );
    });
  });

  describe('outbox', () => {
    async function queued(store: ConsentStore, overrides: Partial<OutboxMail> = {}) {
      const c = await created(store, record(clinicId()));
      const m = mail(c, 'signed_notice', overrides);
      await store.writeConsent({ consent: { ...c, rev: 2 }, expectedRev: 1, events: [], mails: [m] });
      return { c, m };
    }
    const sentEvent = (m: OutboxMail) => event(m.consentId, 'emailed', at(3));

    it('a claim takes a lease and counts the attempt; while leased another claim is refused', async () => {
      const store = await fresh();
      const { m } = await queued(store);
      const passed = structuredClone(m);
      expect(await store.claimMail(passed, at(1), at(2))).toBe(true);
      expect(passed).toEqual(m);
      expect(await store.getMail(m.clinicId, m.consentId, m.kind)).toEqual({
        ...m,
        attempts: 1,
        leaseUntil: at(2),
      });
      expect(await store.claimMail(m, at(1), at(2))).toBe(false);
      expect(await store.claimMail(m, at(2), at(3))).toBe(false); // the lease runs until leaseUntil
      expect(await store.claimMail(m, new Date(Date.parse(at(2)) + 1).toISOString(), at(4))).toBe(true);
      expect(await store.getMail(m.clinicId, m.consentId, m.kind)).toMatchObject({
        attempts: 2,
        leaseUntil: at(4),
      });
    });

    it('attachMailLink stores the link and withdraws the one it replaces, in one write; only while pending', async () => {
      const store = await fresh();
      const { c, m } = await queued(store);
      const link = (n: number) => ({
        tokenHash: `${'e'.repeat(63)}${n}`,
        clinicId: c.clinicId,
        consentId: c.consentId,
        expiresAt: at(50),
        channel: 'email' as const,
        createdAt: at(1),
      });
      await store.attachMailLink(m, link(1));
      expect(await store.getMail(m.clinicId, m.consentId, m.kind)).toMatchObject({
        linkTokenHash: link(1).tokenHash,
      });
      await store.attachMailLink(m, link(2), link(1).tokenHash);
      expect(await store.getLink(link(1).tokenHash)).toBeUndefined();
      expect(await store.getLink(link(2).tokenHash)).toEqual(link(2));
      await expect(store.attachMailLink(m, link(2))).rejects.toBeInstanceOf(ConflictError); // write-once
      await store.cancelMail(m, at(3), 'link_revoked');
      await expect(store.attachMailLink(m, link(3), link(2).tokenHash)).rejects.toBeInstanceOf(ConflictError);
      expect(await store.getLink(link(3).tokenHash)).toBeUndefined();
      expect(await store.getLink(link(2).tokenHash)).toEqual(link(2));
    });

    it('cancelMail takes a pending mail out of the sweep for good; a cancelled mail cannot be claimed', async () => {
      const store = await fresh();
      const { m } = await queued(store);
      await store.cancelMail(m, at(3), 'link_revoked');
      expect(await store.getMail(m.clinicId, m.consentId, m.kind)).toMatchObject({
        status: 'cancelled',
        cancelledAt: at(3),
        cancelReason: 'link_revoked',
      });
      expect((await store.listDueMails(at(100), 50)).filter((d) => d.consentId === m.consentId)).toEqual([]);
      expect(await store.claimMail(m, at(10), at(11))).toBe(false);
      await expect(store.cancelMail(m, at(4), 'again')).rejects.toBeInstanceOf(ConflictError);
    });

    it('a claim on a missing or sent mail is refused', async () => {
      const store = await fresh();
      const { m } = await queued(store);
      expect(await store.claimMail({ ...m, kind: 'invite' }, at(1), at(2))).toBe(false);
      expect(await store.claimMail(m, at(1), at(2))).toBe(true);
      await store.markMailSent(m, at(3), 'msg-1', sentEvent(m));
      expect(await store.claimMail(m, at(10), at(11))).toBe(false);
    });

    it('markMailSent records the delivery and its event, releases the lease; twice is a ConflictError', async () => {
      const store = await fresh();
      const { m } = await queued(store);
      await store.claimMail(m, at(1), at(2));
      await store.markMailSent(m, at(3), 'msg-1', sentEvent(m));
      const got = await store.getMail(m.clinicId, m.consentId, m.kind);
      expect(got).toEqual({ ...m, attempts: 1, status: 'sent', sentAt: at(3), messageId: 'msg-1' });
      expect((await store.listEvents(m.clinicId, m.consentId)).map((e) => e.type)).toEqual([
        'invited',
        'emailed',
      ]);
      await expect(store.markMailSent(m, at(4), 'msg-2', sentEvent(m))).rejects.toBeInstanceOf(ConflictError);
      await expect(store.markMailFailed(m, 'Late', at(5))).rejects.toBeInstanceOf(ConflictError);
      expect((await store.getMail(m.clinicId, m.consentId, m.kind))?.messageId).toBe('msg-1');
      expect(await store.listEvents(m.clinicId, m.consentId)).toHaveLength(2);
      await expect(
        store.markMailSent({ ...m, kind: 'invite' }, at(4), 'x', sentEvent(m)),
      ).rejects.toBeInstanceOf(ConflictError);
    });

    it('markMailFailed records the error (cut to 200 characters), the next attempt, releases the lease', async () => {
      const store = await fresh();
      const { m } = await queued(store);
      await store.claimMail(m, at(1), at(2));
      await store.markMailFailed(m, 'E'.repeat(300), at(20));
      const got = await store.getMail(m.clinicId, m.consentId, m.kind);
      expect(got).toEqual({ ...m, attempts: 1, lastError: 'E'.repeat(200), nextAttemptAt: at(20) });
      expect(await store.listEvents(m.clinicId, m.consentId)).toHaveLength(1);
      // Released: the next claim need not wait for the old lease.
      expect(await store.claimMail(m, at(1), at(2))).toBe(true);
      await store.markMailFailed(m, 'TimeoutError', at(30), event(m.consentId, 'email_failed', at(1)));
      expect((await store.listEvents(m.clinicId, m.consentId)).map((e) => e.type)).toEqual([
        'invited',
        'email_failed',
      ]);
      await expect(store.markMailFailed({ ...m, kind: 'invite' }, 'x', at(5))).rejects.toBeInstanceOf(
        ConflictError,
      );
    });

    it('listMails lists one consent’s mails; listDueMails the pending ones due by now, oldest first', async () => {
      const store = await fresh();
      const a = await created(store, record(clinicId()));
      const b = await created(store, record(clinicId()));
      const mails = [
        mail(a, 'final_patient', { nextAttemptAt: at(5) }),
        mail(a, 'final_archive', { nextAttemptAt: at(5) }),
        mail(b, 'signed_notice', { nextAttemptAt: at(2) }),
        mail(b, 'invite', { nextAttemptAt: at(9) }),
        mail(a, 'invite', { nextAttemptAt: at(1), status: 'sent', sentAt: at(1), messageId: 'x' }),
      ];
      await store.writeConsent({
        consent: { ...a, rev: 2 },
        expectedRev: 1,
        events: [],
        mails: mails.filter((m) => m.consentId === a.consentId),
      });
      await store.writeConsent({
        consent: { ...b, rev: 2 },
        expectedRev: 1,
        events: [],
        mails: mails.filter((m) => m.consentId === b.consentId),
      });
      expect((await store.listMails(a.clinicId, a.consentId)).map((m) => m.kind).sort()).toEqual([
        'final_archive',
        'final_patient',
        'invite',
      ]);
      const kinds = (list: OutboxMail[]) =>
        list.map((m) => `${m.consentId === a.consentId ? 'a' : 'b'}:${m.kind}`);
      expect(kinds(await store.listDueMails(at(5), 10))).toEqual([
        'b:signed_notice',
        'a:final_archive',
        'a:final_patient',
      ]);
      expect(kinds(await store.listDueMails(at(5), 2))).toEqual(['b:signed_notice', 'a:final_archive']);
      expect(await store.listDueMails(at(1), 10)).toEqual([]);
      // A leased mail is still listed (the claim decides); a failed one moves to its next attempt; a sent one leaves.
      const [first] = await store.listDueMails(at(9), 10);
      expect(first).toEqual(mails[2]);
      await store.claimMail(mails[2] as OutboxMail, at(5), at(6));
      expect(kinds(await store.listDueMails(at(5), 10))).toContain('b:signed_notice');
      await store.markMailFailed(mails[2] as OutboxMail, 'TimeoutError', at(7));
      expect(kinds(await store.listDueMails(at(9), 10))).toEqual([
        'a:final_archive',
        'a:final_patient',
        'b:signed_notice',
        'b:invite',
      ]);
      await store.claimMail(mails[0] as OutboxMail, at(9), at(10));
      await store.markMailSent(mails[0] as OutboxMail, at(9), 'm', event(a.consentId, 'emailed', at(9)));
      expect(kinds(await store.listDueMails(at(9), 10))).not.toContain('a:final_patient');
    });
  });

  describe('rate counters', () => {
    it('counts hits per key and window', async () => {
      const store = await fresh();
      const key = `k-${randomBytes(4).toString('hex')}`;
      expect(await store.countHit(key, 600, 1800)).toBe(1);
      expect(await store.countHit(key, 600, 1800)).toBe(2);
      expect(await store.countHit(key, 1200, 2400)).toBe(1);
      expect(await store.countHit(`${key}x`, 600, 1800)).toBe(1);
      expect(await store.countHit(key, 600, 1800)).toBe(3);
    });
  });
}

/** A valid data object for every audit event type (the store round-trips them through the typed union). */
const SAMPLE_DATA: { [T in AuditEventType]: AuditEventData<T> } = {
  invited: { treatmentId: 'mesotherapy', templateVersion: '2026.11.1', sendEmail: false },
  link_opened: { channel: 'handover' },
  answers_submitted: { locale: 'en' },
  screening_result: { outcome: 'eligible', findings: '' },
  signed: { signature: 'typed', pdfSha256: 'a'.repeat(64), locale: 'en' },
  countersigned: { notes: 0, signature: 'typed', pdfSha256: 'b'.repeat(64), sealed: false },
  declined: {},
  emailed: { mail: 'invite', recipient: 'patient' },
  email_failed: { mail: 'invite', error: 'TimeoutError' },
  pdf_downloaded: { version: 1 },
  verified: { version: 1, sealIntact: false },
  link_revoked: { status: 'invited' },
};
