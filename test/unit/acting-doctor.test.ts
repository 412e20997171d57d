import { describe, expect, it } from 'vitest';
import { ForbiddenError } from '../../functions/domain/errors';
import type { StaffIdentity } from '../../functions/domain/model';
import type { ConsentStore, StaffProfile } from '../../functions/workflow/ports';
import { systemClock } from '../../functions/workflow/ports';
import { actingDoctor } from '../../functions/workflow/staff-access';

function depsWith(directory: StaffProfile[]) {
  const store = {
    getStaff: async (clinicId: string, email: string) =>
      directory.find((s) => s.clinicId === clinicId && s.email === email),
  } as unknown as ConsentStore;
  return { store, clock: systemClock };
}

const doctor: StaffIdentity = {
  sub: 'd-1',
  email: 'amal@clinic.example',
  name: 'Dr. Amal Nasser',
  clinicId: 'demo',
  groups: ['doctor'],
  licence: 'DHA-12345',
};

describe('actingDoctor: a doctor acts only with a complete identity', () => {
  it('takes name and licence from the token', async () => {
    await expect(actingDoctor(depsWith([]), doctor)).resolves.toEqual({
      sub: 'd-1',
      email: 'amal@clinic.example',
      name: 'Dr. Amal Nasser',
      licence: 'DHA-12345',
    });
  });

  it('completes a token without licence or name from the staff directory', async () => {
    const entry: StaffProfile = {
      clinicId: 'demo',
      email: 'amal@clinic.example',
      name: 'Dr. Amal Nasser',
      role: 'doctor',
      licence: 'DHA-777',
    };
    const { licence: _l, ...bare } = doctor;
    await expect(actingDoctor(depsWith([entry]), { ...bare, name: bare.email })).resolves.toMatchObject({
      name: 'Dr. Amal Nasser',
      licence: 'DHA-777',
    });
  });

  it('refuses (403) without a licence anywhere, without sub, without e-mail, or without a real name', async () => {
    const { licence: _l, ...noLicence } = doctor;
    await expect(actingDoctor(depsWith([]), noLicence)).rejects.toThrow(ForbiddenError);
    await expect(actingDoctor(depsWith([]), { ...doctor, licence: '  ' })).rejects.toThrow(ForbiddenError);
    await expect(actingDoctor(depsWith([]), { ...doctor, sub: '' })).rejects.toThrow(ForbiddenError);
    await expect(actingDoctor(depsWith([]), { ...doctor, email: '' })).rejects.toThrow(ForbiddenError);
    await expect(actingDoctor(depsWith([]), { ...doctor, name: doctor.email })).rejects.toThrow(/name/);
  });

  it('refuses a coordinator whatever the directory says', async () => {
    await expect(actingDoctor(depsWith([]), { ...doctor, groups: ['coordinator'] })).rejects.toThrow(
      ForbiddenError,
    );
  });
});
