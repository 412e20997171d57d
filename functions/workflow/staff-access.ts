import { ForbiddenError, NotFoundError } from '../domain/errors';
import type { StaffIdentity } from '../domain/model';
import type { Clock, ConsentStore } from './ports';

/** What every staff use case needs: the store and the clock. */
export interface ClinicDeps {
  store: ConsentStore;
  clock: Clock;
}

export const staffActor = (staff: StaffIdentity) => ({ kind: 'staff' as const, id: staff.sub });

export function requireRole(staff: StaffIdentity, role: 'doctor' | 'coordinator' | 'any'): void {
  if (role === 'any') return;
  if (!staff.groups.includes(role)) throw new ForbiddenError(`Only a ${role} can do this.`);
}

/** A clinic's record, or 404: another clinic's id is indistinguishable from one that does not exist. */
export async function loadOwnConsent(deps: ClinicDeps, staff: StaffIdentity, consentId: string) {
  const consent = await deps.store.getConsent(staff.clinicId, consentId);
  if (!consent) throw new NotFoundError('No such consent in your clinic.');
  return consent;
}
