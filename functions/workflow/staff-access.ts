import type { AuditActor } from '../domain/audit';
import { ForbiddenError, NotFoundError } from '../domain/errors';
import type { StaffIdentity } from '../domain/model';
import type { Clock, ConsentStore } from './ports';

/** What every staff use case needs: the store and the clock. */
export interface ClinicDeps {
  store: ConsentStore;
  clock: Clock;
}

/** The staff member as the audit trail records them: id, name and, for a doctor who acted, the licence. */
export const staffActor = (staff: StaffIdentity, doctor?: ActingDoctor): AuditActor => ({
  kind: 'staff',
  id: staff.sub,
  ...(doctor ? { name: doctor.name, licence: doctor.licence } : staff.name ? { name: staff.name } : {}),
});

export function requireRole(staff: StaffIdentity, role: 'doctor' | 'coordinator' | 'any'): void {
  if (role === 'any') return;
  if (!staff.groups.includes(role)) throw new ForbiddenError(`Only a ${role} can do this.`);
}

/** A clinic's record, or 404: another clinic's id is indistinguishable from one that does not exist. */
/** A doctor who signs with a complete identity: who (sub), how to reach them, their name and licence. */
export interface ActingDoctor {
  sub: string;
  email: string;
  name: string;
  licence: string;
}

/**
 * The doctor about to countersign or decline. A doctor acting must have `sub`, `email`, a name and a
 * licence — from the token (`name`, `custom:licence`) or, where the token lacks them, the clinic's staff
 * directory — or the act is refused (403): an empty licence must never reach a legal document.
 */
export async function actingDoctor(deps: ClinicDeps, staff: StaffIdentity): Promise<ActingDoctor> {
  requireRole(staff, 'doctor');
  if (!staff.sub.trim() || !staff.email.trim()) {
    throw new ForbiddenError('Your account has no user id or e-mail address; ask the clinic to fix it.');
  }
  // Without a `name` claim the token's name falls back to the e-mail address: that is not a name.
  const tokenName = staff.name.trim() !== staff.email.trim() ? staff.name.trim() : '';
  const needsDirectory = !staff.licence?.trim() || !tokenName;
  const entry = needsDirectory ? await deps.store.getStaff(staff.clinicId, staff.email) : undefined;
  const licence = staff.licence?.trim() || entry?.licence?.trim() || '';
  const name = tokenName || entry?.name?.trim() || '';
  if (!licence) throw new ForbiddenError('A doctor needs a licence number on file to do this.');
  if (!name) throw new ForbiddenError('A doctor needs a name on file to do this.');
  return { sub: staff.sub, email: staff.email, name, licence };
}

export async function loadOwnConsent(deps: ClinicDeps, staff: StaffIdentity, consentId: string) {
  const consent = await deps.store.getConsent(staff.clinicId, consentId);
  if (!consent) throw new NotFoundError('No such consent in your clinic.');
  return consent;
}
