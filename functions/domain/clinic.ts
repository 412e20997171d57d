import type { Branch, Clinic } from './model';

/** The consent's branch, or the clinic's first when the id is no longer configured. */
export function branchOf(clinic: Clinic, branchId: string): Branch {
  const branch = clinic.branches.find((b) => b.id === branchId) ?? clinic.branches[0];
  if (!branch) throw new Error('Clinic has no branch configured');
  return branch;
}
