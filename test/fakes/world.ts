import type { Clinic, StaffIdentity } from '../../functions/domain/model';
import { type IntakeContext, openIntake, signConsent, submitAnswers } from '../../functions/workflow/intake';
import { createInvite } from '../../functions/workflow/invites';
import type { MailDeps } from '../../functions/workflow/mail';
import { cleanAnswers } from '../fixtures/answers';
import { SteppingClock } from './clock';
import { MemoryEmailSender } from './email-sender';
import { MemoryConsentStore } from './memory-store';
import { fakeRenderer } from './pdf';

/**
 * Everything a use case needs, in memory: the store, a stepping clock, a recording mailer and a fake
 * renderer, plus one clinic with two branches and its staff. `invited()`, `answered()` and `signed()` drive
 * a consent through the real use cases to the state a test starts from.
 */
export const APP_URL = 'https://consents.example.test';
export const MAIL_FROM = 'consents@example.test';
export const LINK_TTL_MS = 14 * 24 * 3600_000;
export const meta = { ip: '203.0.113.7', userAgent: 'vitest' };

export const demoClinic: Clinic = {
  clinicId: 'demo',
  name: 'Demo Aesthetics',
  archiveEmail: 'archive@demo.example.test',
  defaultBranchId: 'jumeirah',
  branches: [
    {
      id: 'jumeirah',
      name: 'Jumeirah',
      phone: '+971 4 000 0000',
      whatsapp: '+971 50 000 0000',
      timeZone: 'Asia/Dubai',
    },
    {
      id: 'marina',
      name: 'Marina',
      phone: '+971 4 111 1111',
      whatsapp: '+971 50 111 1111',
      timeZone: 'Asia/Dubai',
    },
  ],
};

export const coordinator: StaffIdentity = {
  sub: 'staff-coordinator',
  email: 'coordinator@demo.example.test',
  name: 'Coordinator',
  clinicId: 'demo',
  groups: ['coordinator'],
};
export const doctor: StaffIdentity = {
  sub: 'staff-doctor',
  email: 'doctor@demo.example.test',
  name: 'Dr. Sara Nasser',
  clinicId: 'demo',
  groups: ['doctor'],
  licence: 'DHA-12345',
};
export const otherClinicDoctor: StaffIdentity = { ...doctor, sub: 'other-doctor', clinicId: 'other' };

export const patient = { fullName: 'Layla Haddad', email: 'layla@example.test', locale: 'en' as const };

export async function newWorld() {
  const store = new MemoryConsentStore();
  const clock = new SteppingClock();
  const sender = new MemoryEmailSender();
  const renderer = fakeRenderer();
  await store.putClinic(demoClinic);
  await store.putClinic({ ...demoClinic, clinicId: 'other', name: 'Other Clinic' });
  const deps = { store, clock };
  const inviteDeps = { ...deps, appUrl: APP_URL, linkTtlMs: LINK_TTL_MS };
  const signDeps = { ...deps, renderPdf: renderer.renderPdf };
  const mailDeps: MailDeps = { store, clock, sender, appUrl: APP_URL, from: MAIL_FROM };

  /** A fresh invite; returns the link token the patient holds. */
  async function invited(overrides: { sendEmail?: boolean; branchId?: string; fullName?: string } = {}) {
    const res = await createInvite(
      inviteDeps,
      coordinator,
      {
        patient: { ...patient, ...(overrides.fullName ? { fullName: overrides.fullName } : {}) },
        treatmentId: 'mesotherapy',
        ...(overrides.branchId ? { branchId: overrides.branchId } : {}),
        ...(overrides.sendEmail ? { sendEmail: true } : {}),
      },
      meta,
    );
    const token = res.intakeUrl.split('/').pop() as string;
    return { ...res, token };
  }

  const open = (token: string): Promise<IntakeContext> => openIntake(deps, token, meta);

  async function answered(answers = cleanAnswers(), overrides: Parameters<typeof invited>[0] = {}) {
    const inv = await invited(overrides);
    clock.advance(60_000);
    const result = await submitAnswers(deps, await open(inv.token), { answers }, meta);
    return { ...inv, result };
  }

  async function signed(answers = cleanAnswers(), overrides: Parameters<typeof invited>[0] = {}) {
    const a = await answered(answers, overrides);
    clock.advance(60_000);
    const ctx = await open(a.token);
    const result = await signConsent(
      signDeps,
      ctx,
      {
        signature: { kind: 'typed', name: patient.fullName },
        acknowledgedRiskIds: ctx.consent.applicableRiskIds ?? [],
        agreeToTreatment: true,
        agreeToElectronicRecords: true,
      },
      meta,
    );
    return { ...a, signature: result };
  }

  return {
    store,
    clock,
    sender,
    renderer,
    deps,
    inviteDeps,
    signDeps,
    mailDeps,
    invited,
    open,
    answered,
    signed,
  };
}

export type World = Awaited<ReturnType<typeof newWorld>>;
