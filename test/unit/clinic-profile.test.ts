import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { clinicSchema } from '../../infra/admin/put-clinic';
import { demoClinic } from '../../infra/local/seed';

describe('clinic profile', () => {
  it('the example file and the demo clinic are valid profiles', () => {
    expect(
      clinicSchema.safeParse(JSON.parse(readFileSync('infra/admin/clinic.example.json', 'utf8'))).success,
    ).toBe(true);
    expect(clinicSchema.safeParse(demoClinic).success).toBe(true);
  });
  it('rejects an unknown time zone and a default branch that does not exist', () => {
    const bad = { ...demoClinic, defaultBranchId: 'nowhere' };
    expect(clinicSchema.safeParse(bad).success).toBe(false);
    const tz = { ...demoClinic, branches: [{ ...demoClinic.branches[0], timeZone: 'Mars/Olympus' }] };
    expect(clinicSchema.safeParse(tz).success).toBe(false);
  });
});
