import type { ConsentRecord } from './model';

/**
 * What the archive search (`q` on GET /clinic/consents) matches: the patient's name and e-mail, the
 * consent id (printed on every PDF page) and the phone number's digits. One definition for every store.
 */
export function consentSearchText(c: Pick<ConsentRecord, 'consentId' | 'patient'>): string {
  const digits = c.patient.phone?.replace(/\D/g, '') ?? '';
  return `${c.patient.fullName} ${c.patient.email} ${c.consentId} ${digits}`.normalize('NFKC').toLowerCase();
}

/**
 * The search term as it is matched: case- and width-folded; a term that looks like a phone number
 * (digits with spaces, dashes, brackets, a leading +) is matched by its digits alone, so
 * `050 123 4567` finds +971501234567 and `+971 50 123` finds it too.
 */
export function searchTerm(q: string): string {
  const folded = q.normalize('NFKC').trim().toLowerCase();
  if (/^\+?[\d\s().-]+$/.test(folded) && /\d{3}/.test(folded.replace(/\D/g, ''))) {
    const digits = folded.replace(/\D/g, '');
    // A local number starts with its trunk 0, which E.164 drops: match what follows it.
    return digits.startsWith('0') ? digits.slice(1) : digits;
  }
  return folded;
}
