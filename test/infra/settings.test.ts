import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import cdkJson from '../../cdk.json' with { type: 'json' };
import { DEFAULT_SETTINGS, readSettings } from '../../infra/stacks/settings';

const read = (context: Record<string, unknown>) => readSettings(new App({ context }).node);

describe('deploy settings (context)', () => {
  it('defaults to me-central-1 and the documented values', () => {
    expect(read({})).toEqual({ ...DEFAULT_SETTINGS, senderDomain: undefined, authDomainPrefix: undefined });
    expect(DEFAULT_SETTINGS.region).toBe('me-central-1');
    expect(DEFAULT_SETTINGS.linkTtlDays).toBe(7);
  });

  it('keeps cdk.json quiet and offline, with the documented defaults', () => {
    expect(cdkJson.app).toBe('npx tsx infra/app.ts');
    expect(cdkJson.notices).toBe(false);
    expect(cdkJson.context['cli-telemetry']).toBe(false);
    expect(read(cdkJson.context)).toEqual(read({}));
  });

  it('reads overrides', () => {
    const s = read({
      region: 'me-south-1',
      senderEmail: 'consents@clinic.ae',
      senderDomain: 'Clinic.AE',
      linkTtlDays: '14',
      appName: 'dubai-clinic',
    });
    expect(s).toMatchObject({
      region: 'me-south-1',
      senderDomain: 'clinic.ae',
      linkTtlDays: 14,
      appName: 'dubai-clinic',
    });
  });

  it.each([
    [{ senderEmail: 'not-an-address' }, /senderEmail/],
    [{ alarmEmail: 'a@b' }, /alarmEmail/],
    [{ linkTtlDays: 0 }, /linkTtlDays/],
    [{ linkTtlDays: 91 }, /linkTtlDays/],
    [{ linkTtlDays: 'week' }, /linkTtlDays/],
    [{ senderDomain: 'clinic.ae' }, /senderEmail.*must be an address at senderDomain/],
    [{ region: 'middle-east' }, /region/],
    [{ appName: 'Bad Name' }, /appName/],
    [{ senderName: 'Clinic <x>' }, /senderName/],
  ])('rejects %o', (context, message) => {
    expect(() => read(context)).toThrow(message);
  });
});
