import { describe, expect, it } from 'vitest';
import { consentListItemSchema } from '../../functions/contract/clinic';
import { answersResultSchema, intakeViewSchema } from '../../functions/contract/intake';
import type { ConsentRecord } from '../../functions/domain/model';
import { screenAnswers } from '../../functions/domain/screening';
import { loadTemplate } from '../../functions/domain/template-store';
import { listItem } from '../../functions/workflow/consent-views';
import { consentView } from '../../functions/workflow/intake';
import { intakeView } from '../../functions/workflow/intake-view';
import { cleanAnswers } from '../fixtures/answers';

/**
 * The response schemas are documentation (the handlers do not parse them), so they are checked here
 * against what the views really return, strictly: a field added to a view without its schema fails.
 */
const template = loadTemplate('mesotherapy');
if (!template) throw new Error('mesotherapy template missing');
const clinic = {
  clinicId: 'demo',
  name: 'Demo',
  archiveEmail: 'archive@example.test',
  defaultBranchId: 'main',
  branches: [
    {
      id: 'main',
      name: 'Main',
      phone: '+971 4 000 0000',
      whatsapp: '+971 50 000 0000',
      timeZone: 'Asia/Dubai',
    },
  ],
};
const consent: ConsentRecord = {
  clinicId: 'demo',
  consentId: '01JABCDEFGHJKMNPQRSTVWXYZ0',
  status: 'answered',
  outcome: 'needs_review',
  treatmentId: 'mesotherapy',
  templateVersion: template.version,
  templateSha256: 'a'.repeat(64),
  branchId: 'main',
  patient: { fullName: 'Layla Haddad', email: 'layla@example.test', locale: 'en' },
  locale: 'en',
  linkExpiresAt: '2099-01-01T00:00:00.000Z',
  createdAt: '2026-11-21T00:00:00.000Z',
  createdBy: 'sub',
  updatedAt: '2026-11-21T00:00:00.000Z',
  screening: {
    outcome: 'needs_review',
    findings: [{ ruleId: 'allergies', severity: 'review', message: 'Allergy' }],
    screenedAt: '2026-11-21T00:00:00.000Z',
    clinicDate: '2026-11-21',
  },
  applicableRiskIds: template.risks.map((r) => r.id),
  pdfVersions: [],
  rev: 2,
};
const link = {
  tokenHash: 'h',
  clinicId: 'demo',
  consentId: consent.consentId,
  expiresAt: consent.linkExpiresAt,
  channel: 'handover' as const,
  createdAt: consent.createdAt,
};

describe('response schemas match what the views return', () => {
  it('IntakeView', () => {
    const view = intakeView({ consent, clinic, template, link });
    expect(view.consent).toBeDefined();
    expect(intakeViewSchema.strict().safeParse(view).error?.issues ?? []).toEqual([]);
    expect(intakeViewSchema.safeParse({ ...view, invite: { ...view.invite, status: 'lost' } }).success).toBe(
      false,
    );
  });

  it('ConsentListItem', () => {
    expect(consentListItemSchema.strict().safeParse(listItem(consent)).error?.issues ?? []).toEqual([]);
  });

  it('AnswersResult', () => {
    const result = screenAnswers(template, cleanAnswers() as never, '2026-11-21', 'en');
    const body = {
      screening: { outcome: result.outcome, findings: result.findings },
      consent: consentView(template, result.applicableRiskIds, 'en'),
    };
    expect(answersResultSchema.strict().safeParse(body).error?.issues ?? []).toEqual([]);
  });
});
