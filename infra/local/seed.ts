import type { Clinic } from '../../functions/domain/model';
import type { ConsentStore, StaffProfile } from '../../functions/workflow/ports';

/** The demo clinic every local stack starts with (fictional names, numbers and addresses). */
export const demoClinic: Clinic = {
  clinicId: 'demo',
  name: 'Demo Aesthetics Clinic',
  archiveEmail: 'archive@demo-clinic.example.test',
  defaultBranchId: 'jumeirah',
  branches: [
    {
      id: 'jumeirah',
      name: 'Jumeirah, Dubai',
      phone: '+971 4 000 0000',
      whatsapp: '+971 50 000 0000',
      timeZone: 'Asia/Dubai',
      address: 'Jumeirah Beach Road, Dubai',
    },
    {
      id: 'new-cairo',
      name: 'New Cairo',
      phone: '+20 2 0000 0000',
      whatsapp: '+20 100 000 0000',
      timeZone: 'Africa/Cairo',
      address: 'Fifth Settlement, New Cairo',
    },
  ],
};

export const demoStaff: StaffProfile[] = [
  {
    clinicId: 'demo',
    email: 'doctor@demo-clinic.example.test',
    name: 'Dr. Amal Nasser',
    role: 'doctor',
    licence: 'DHA-P-0000001',
  },
  {
    clinicId: 'demo',
    email: 'coordinator@demo-clinic.example.test',
    name: 'Sara Coordinator',
    role: 'coordinator',
  },
];

/** Idempotent: re-seeding on every start keeps the demo profile as documented. */
export async function seedDemo(store: ConsentStore): Promise<void> {
  await store.putClinic(demoClinic);
  for (const s of demoStaff) await store.putStaff(s);
}
