import { auditEvent, type RequestMeta } from '../domain/audit';
import { ConflictError } from '../domain/errors';
import type { StaffIdentity } from '../domain/model';
import { type ClinicDeps, loadOwnConsent, requireRole, staffActor } from './staff-access';

/**
 * Revokes a patient's intake link (every link of the consent: hand-over and e-mailed) before the patient
 * signs. One conditional write sets `linkRevoked` and appends `link_revoked`; from then on every patient
 * route answers 410. Revoking again is a no-op; after signing the consent is the record, and 409 says so.
 */
export async function revokeLink(
  deps: ClinicDeps,
  staff: StaffIdentity,
  consentId: string,
  meta: RequestMeta,
) {
  requireRole(staff, 'any');
  const consent = await loadOwnConsent(deps, staff, consentId);
  if (consent.linkRevoked) return { consentId, status: consent.status, linkRevoked: true as const };
  if (consent.status !== 'invited' && consent.status !== 'answered') {
    throw new ConflictError('The patient has already signed; the link can no longer be revoked.');
  }
  const at = deps.clock.now().toISOString();
  await deps.store.writeConsent({
    consent: { ...consent, linkRevoked: true, updatedAt: at, rev: consent.rev + 1 },
    expectedRev: consent.rev,
    expectedStatus: ['invited', 'answered'],
    events: [auditEvent(consentId, 'link_revoked', at, staffActor(staff), meta, { status: consent.status })],
  });
  return { consentId, status: consent.status, linkRevoked: true as const, revokedAt: at };
}
