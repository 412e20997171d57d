import { afterAll, describe, expect, it } from 'vitest';
import { renderPdf } from '../../functions/adapters/pdf-renderer';
import { resetConfig } from '../../functions/config';
import { functionEnvironment } from '../../infra/function-env';
import { sampleConsentDocument } from '../fixtures/consent-document';

const saved = { ...process.env };
afterAll(() => {
  process.env = saved;
  resetConfig();
});

/** The one lazy renderer: loaded on first use, with the fonts where the configuration says (FONT_DIR). */
describe('renderPdf (functions/adapters/pdf-renderer.ts)', () => {
  it('reads the fonts from FONT_DIR, as the CDK bundle of a route with `needs.fonts` sets it', async () => {
    Object.assign(
      process.env,
      functionEnvironment({
        tableName: 'consents-test',
        appUrl: 'https://consents.example.test',
        mailFrom: 'Clinic <consents@clinic.example.test>',
        linkTtlDays: 7,
        jwt: {
          issuer: 'https://issuer.example.test',
          audience: 'a',
          jwksUrl: 'https://issuer.example.test/j',
        },
        serviceName: 'test',
        folders: { fontDir: '/nonexistent/fonts-from-config' },
      }),
    );
    resetConfig();
    await expect(renderPdf(sampleConsentDocument())).rejects.toThrow(/\/nonexistent\/fonts-from-config/);
  });
});
