import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetConfig } from '../../functions/config';
import { generateLocalSealIdentity, LocalSealSigner, sealPdf } from '../../functions/documents/seal';
import { clinicLocalDate } from '../../functions/domain/time';
import mesotherapy from '../../templates/treatments/mesotherapy.json' with { type: 'json' };
import {
  COORDINATOR,
  DESKTOP,
  DOCTOR,
  drawSignature,
  eventually,
  expectNoAxeViolations,
  type Harness,
  type InPage,
  newPage,
  PHONE,
  screenshot,
  sesEmails,
  signInToDashboard,
  staffToken,
  startHarness,
  unexpectedProblems,
} from './harness';

/**
 * The whole product through its pages, as the clinic uses it: a coordinator creates a link in the
 * dashboard, the patient completes it on a phone (drawing the signature with the mouse's pointer
 * events), a doctor countersigns in the dashboard, and the final e-mail carries the PDF. axe-core checks
 * every state; screenshots of the key screens go to docs/screenshots/.
 */

const PATIENT = { name: 'Layla Haddad', email: 'layla.haddad@example.test', phone: '+971 50 123 4567' };
const BLOOD_THINNER = 'Aspirin 81 mg once a day, prescribed by my cardiologist';

let h: Harness;
let intakeUrl = '';

beforeAll(async () => {
  h = await startHarness();
}, 300_000);

afterAll(async () => {
  await h?.stop();
});

/** Answers every yes/no question of a step "No", except those given. */
async function answerYesNo(page: Page, yes: Record<string, string> = {}) {
  for (const q of mesotherapy.questions) {
    if (q.type !== 'boolean') continue;
    const group = page.getByRole('group', { name: q.label.en });
    await group.getByRole('radio', { name: q.id in yes ? 'Yes' : 'No' }).check();
    const detail = yes[q.id];
    if (detail) {
      const detailQ = mesotherapy.questions.find((d) => 'requiredWhen' in d && d.requiredWhen === q.id);
      if (detailQ) await page.getByLabel(detailQ.label.en).fill(detail);
    }
  }
}

describe('clinic to patient to doctor, through the pages', () => {
  it('a coordinator creates an intake link in the dashboard, with a WhatsApp hand-off', async () => {
    const { context, page, problems } = await newPage(h, DESKTOP);
    await page.goto(`${h.appUrl}/clinic`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await expectNoAxeViolations(page, 'dashboard sign-in');
    await screenshot(page, 'clinic-sign-in-desktop');

    await signInToDashboard(page, h.appUrl, COORDINATOR, 'coordinator');
    await page.getByRole('heading', { name: 'New intake link' }).waitFor();
    await expectNoAxeViolations(page, 'invite form');

    // A missing e-mail is shown beside its field, not as a popup.
    await page.getByLabel("Patient's full name").fill(PATIENT.name);
    await page.getByRole('button', { name: 'Create link' }).click();
    const email = page.getByLabel("Patient's e-mail");
    await expect.poll(() => email.getAttribute('aria-invalid')).toBe('true');
    expect(await email.getAttribute('aria-describedby')).toContain('inv-email-error');
    await expect.poll(() => page.locator('#inv-email-error').textContent()).toContain('valid e-mail');

    await email.fill(PATIENT.email);
    await page.getByLabel('Mobile phone (optional)').fill(PATIENT.phone);
    await page.getByRole('radio', { name: 'English' }).check();
    await page.getByLabel('Send the link to the patient by e-mail').check();
    await page.getByRole('button', { name: 'Create link' }).click();

    await page.getByRole('heading', { name: `Link ready for ${PATIENT.name}` }).waitFor();
    intakeUrl = await page.getByLabel('Intake link').inputValue();
    expect(intakeUrl).toMatch(new RegExp(`^${h.appUrl}/intake/[A-Za-z0-9_-]{20,}$`));
    const wa = page.getByRole('link', { name: /Send with WhatsApp/ });
    const waHref = (await wa.getAttribute('href')) ?? '';
    expect(waHref.startsWith('https://wa.me/971501234567?text=')).toBe(true);
    expect(decodeURIComponent(waHref)).toContain(intakeUrl);
    await page.getByRole('button', { name: 'Copy link' }).click();
    await expect.poll(() => page.locator('#copy-status').textContent()).toBe('Link copied.');
    await expectNoAxeViolations(page, 'invite created');
    await screenshot(page, 'clinic-invite-created-desktop', { fullPage: true });

    // The invite e-mail goes out (the patient could also open the link from there).
    await eventually(
      async () => (await sesEmails(h)).find((m) => m.destination?.to?.includes(PATIENT.email)),
      30_000,
      'the invite e-mail',
    );
    expect(unexpectedProblems(problems)).toEqual([]);
    await context.close();
  });

  it('the patient completes it on a phone and signs by drawing', async () => {
    expect(intakeUrl).not.toBe('');
    const { context, page, problems } = await newPage(h, PHONE);
    const started = Date.now();
    await page.goto(intakeUrl);

    // Step 1: about you.
    await page.getByRole('heading', { name: `Hello ${PATIENT.name}` }).waitFor();
    expect(await page.locator('html').getAttribute('dir')).toBe('ltr');
    await expectNoAxeViolations(page, 'intake: about you');
    await screenshot(page, 'intake-1-about-phone');
    await page.getByLabel('What is your date of birth?').fill('1990-05-14');
    await page.getByRole('button', { name: 'Continue' }).click();

    // Step 2: medical questions; the blood-thinner detail appears only after "Yes".
    await page.getByRole('heading', { name: 'Medical questions' }).waitFor();
    const detail = mesotherapy.questions.find((q) => q.id === 'bloodThinnerDetails');
    expect(await page.getByLabel(detail?.label.en ?? '').isVisible()).toBe(false);
    await expectNoAxeViolations(page, 'intake: medical questions');
    await screenshot(page, 'intake-2-medical-phone');
    await answerYesNo(page, { bloodThinners: BLOOD_THINNER });
    expect(await page.getByLabel(detail?.label.en ?? '').isVisible()).toBe(true);
    await page.getByLabel(detail?.label.en ?? '').scrollIntoViewIfNeeded();
    await expectNoAxeViolations(page, 'intake: medical questions answered, detail shown');
    await screenshot(page, 'intake-2b-detail-field-phone');
    await page.getByRole('button', { name: 'Continue' }).click();

    // Step 3: areas and concerns.
    await page.getByRole('heading', { name: 'Areas and concerns' }).waitFor();
    await page
      .getByRole('group', { name: 'Which areas would you like treated?' })
      .getByRole('checkbox', { name: 'Face' })
      .check();
    await page
      .getByRole('group', { name: 'What would you like to improve?' })
      .getByRole('checkbox', { name: 'Wrinkles and fine lines' })
      .check();
    await expectNoAxeViolations(page, 'intake: areas and concerns');
    await screenshot(page, 'intake-3-areas-phone');
    await page.getByRole('button', { name: 'Send my answers' }).click();

    // Step 4: the consent. Each risk is acknowledged one by one.
    await page.getByRole('heading', { name: 'Consent for Mesotherapy' }).waitFor();
    await expect.poll(() => page.getByText("Some of your answers need a doctor's review").count()).toBe(1);
    await expectNoAxeViolations(page, 'intake: consent');
    await screenshot(page, 'intake-4-consent-phone');
    await page.setViewportSize(DESKTOP);
    await screenshot(page, 'intake-4-consent-desktop');
    await page.setViewportSize(PHONE);

    // Signing with nothing ticked lists what is missing and marks each risk.
    await page.getByRole('button', { name: 'Sign the consent' }).click();
    await page.locator('#error-summary').waitFor();
    const riskBoxes = page.getByRole('checkbox', { name: /I have read and understood this risk/ });
    const riskCount = await riskBoxes.count();
    expect(riskCount).toBeGreaterThanOrEqual(10);
    expect(await riskBoxes.first().getAttribute('aria-invalid')).toBe('true');
    await expectNoAxeViolations(page, 'intake: consent with errors');

    for (let i = 0; i < riskCount; i++) await riskBoxes.nth(i).check();
    for (const d of mesotherapy.declarations) await page.getByRole('checkbox', { name: d.text.en }).check();
    const canvas = page.getByRole('img', { name: /Signature box/ });
    await drawSignature(page, canvas);
    await screenshot(page, 'intake-5-signature-phone');
    await page.getByRole('button', { name: 'Sign the consent' }).click();

    await page
      .getByRole('heading', { name: 'Thank you, your consent is signed' })
      .waitFor({ timeout: 30_000 });
    await expectNoAxeViolations(page, 'intake: signed');
    await screenshot(page, 'intake-6-signed-phone');
    // The patient got through it well inside five minutes (here: a script, but the same steps).
    expect(Date.now() - started).toBeLessThan(5 * 60_000);

    const link = page.getByRole('link', { name: 'Download my signed consent (PDF)' });
    const href = (await link.getAttribute('href')) ?? '';
    const res = await page.request.get(new URL(href, intakeUrl).toString());
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toBe('application/pdf');
    expect((await res.body()).subarray(0, 5).toString('latin1')).toBe('%PDF-');

    // Saved progress is gone once signed.
    expect(
      await page.evaluate(() =>
        Object.keys((globalThis as unknown as InPage).localStorage).filter((k) => k.startsWith('intake:')),
      ),
    ).toEqual([]);
    expect(unexpectedProblems(problems)).toEqual([]);
    await context.close();
  });

  it('a doctor sees the finding in the queue, notes it and countersigns', async () => {
    const { context, page, problems } = await newPage(h, DESKTOP);
    await signInToDashboard(page, h.appUrl, DOCTOR, 'doctor');
    await page.getByRole('heading', { name: 'Awaiting countersignature' }).waitFor();
    const item = page.locator('.queue-item', { hasText: PATIENT.name });
    await item.waitFor();
    expect(await item.getByText('Takes blood thinners (including aspirin)').count()).toBe(1);
    await expectNoAxeViolations(page, 'dashboard: queue');
    await screenshot(page, 'clinic-queue-desktop');
    await page.setViewportSize(PHONE);
    await expectNoAxeViolations(page, 'dashboard: queue on a phone');
    await screenshot(page, 'clinic-queue-phone');
    await page.setViewportSize(DESKTOP);

    const started = Date.now();
    await item.getByRole('link', { name: PATIENT.name, exact: true }).click();
    await page.getByRole('heading', { name: PATIENT.name, level: 1 }).waitFor();
    // The answers are labelled with the questions; the detail the patient wrote is there.
    const answers = page.getByRole('table', { name: "The patient's answers" });
    await expect
      .poll(() => answers.getByRole('row', { name: /blood-thinning medicine\? Yes/ }).count())
      .toBe(1);
    expect(await answers.getByText(BLOOD_THINNER).count()).toBe(1);
    await expectNoAxeViolations(page, 'dashboard: consent detail');
    await screenshot(page, 'clinic-consent-detail-desktop', { fullPage: true });
    await page.setViewportSize(PHONE);
    await screenshot(page, 'clinic-consent-detail-phone');
    await page.setViewportSize(DESKTOP);

    // Countersigning without the required note is refused beside the note.
    await drawSignature(page, page.getByRole('img', { name: /Signature box/ }));
    await page.getByRole('button', { name: 'Countersign' }).click();
    const note = page.getByLabel('Your note (required)');
    await expect.poll(() => note.getAttribute('aria-invalid')).toBe('true');
    await expectNoAxeViolations(page, 'dashboard: countersign with a missing note');

    await note.fill(
      'Discussed with the patient: aspirin paused 7 days before, with her cardiologist’s agreement.',
    );
    await page.getByRole('button', { name: 'Countersign' }).click();
    await page.getByText('Countersigned. The final PDF is being e-mailed').waitFor({ timeout: 30_000 });
    expect(Date.now() - started).toBeLessThan(60_000);
    await expect.poll(() => page.locator('.kv .badge-countersigned').count()).toBe(1);
    await expectNoAxeViolations(page, 'dashboard: countersigned');
    await screenshot(page, 'clinic-countersigned-desktop');
    expect(unexpectedProblems(problems)).toEqual([]);
    await context.close();
  });

  it('the final e-mail reaches the patient with the PDF attached, and shows in the mail UI', async () => {
    const mail = await eventually(
      async () =>
        (await sesEmails(h)).find(
          (m) =>
            m.destination?.to?.includes(PATIENT.email) &&
            (m.attachments ?? []).some((a) => a.contentType?.startsWith('application/pdf')),
        ),
      45_000,
      'the final e-mail with the PDF',
    );
    const pdf = mail.attachments?.find((a) => a.contentType?.startsWith('application/pdf'));
    expect(
      Buffer.from(pdf?.content ?? '', 'base64')
        .subarray(0, 5)
        .toString('latin1'),
    ).toBe('%PDF-');

    const { context, page } = await newPage(h, DESKTOP);
    await page.goto(`${h.sesUrl}/`);
    await expect
      .poll(() => page.getByText(mail.subject ?? '—').count(), { timeout: 10_000 })
      .toBeGreaterThan(0);
    expect(await page.getByRole('link', { name: /^consent-.+\.pdf$/ }).count()).toBeGreaterThan(0);
    await screenshot(page, 'mail-ui-desktop');
    await context.close();
  });

  it('the archive finds the record, downloads its PDF, and the PDF verifies (a changed copy does not)', async () => {
    const { context, page, problems } = await newPage(h, DESKTOP);
    await signInToDashboard(page, h.appUrl, DOCTOR, 'doctor', '#/archive');
    await page.getByRole('heading', { name: 'Archive' }).waitFor();
    await page.getByLabel('Patient name').fill('layla');
    await page.getByLabel('Status').selectOption('countersigned');
    // The archive's dates are the clinic's calendar days (the demo branch is in Dubai), not UTC's.
    const today = clinicLocalDate(new Date(), 'Asia/Dubai');
    await page.getByLabel('From (date)').fill(today);
    await page.getByLabel('To (date)').fill(today);
    await page.getByRole('button', { name: 'Search' }).click();
    const row = page.getByRole('row', { name: new RegExp(PATIENT.name) });
    await row.waitFor();
    expect(page.url()).toContain('status=countersigned');
    await expectNoAxeViolations(page, 'dashboard: archive');
    await screenshot(page, 'clinic-archive-desktop');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row.getByRole('button', { name: /Download/ }).click(),
    ]);
    const file = join(tmpdir(), `consent-${Date.now()}.pdf`);
    await download.saveAs(file);
    const bytes = readFileSync(file);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    await page.getByRole('link', { name: 'Verify a PDF' }).click();
    await page.getByRole('heading', { name: 'Verify a consent PDF' }).waitFor();
    await page.getByLabel('Consent PDF').setInputFiles(file);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.locator('#verify-outcome', { hasText: 'Verified.' }).waitFor();
    expect(await page.locator('#verify-outcome').textContent()).toContain('Countersigned');
    expect(await page.locator('#verify-seal').textContent()).toContain("Sealed by this clinic's certificate");
    await expectNoAxeViolations(page, 'dashboard: verified');
    await screenshot(page, 'clinic-verify-desktop');

    const changed = Buffer.from(bytes);
    changed[changed.length - 10] = (changed[changed.length - 10] ?? 0) ^ 0x01;
    const changedFile = join(tmpdir(), `changed-${Date.now()}.pdf`);
    writeFileSync(changedFile, changed);
    await page.getByLabel('Consent PDF').setInputFiles(changedFile);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.locator('#verify-outcome', { hasText: 'Not verified.' }).waitFor();

    // The same PDF re-sealed by a forger under the clinic's seal name: intact, but not this clinic's seal.
    const forger = await generateLocalSealIdentity({ commonName: 'meso-consent local seal (not trusted)' });
    const forged = await sealPdf(bytes, new LocalSealSigner(forger.keyPem, forger.certificatePem), {
      reason: 'Countersigned by the clinic',
      location: 'Demo Aesthetics Clinic',
      contactInfo: 'Check this document at /verify',
    });
    const forgedFile = join(tmpdir(), `forged-${Date.now()}.pdf`);
    writeFileSync(forgedFile, forged);
    await page.getByLabel('Consent PDF').setInputFiles(forgedFile);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page
      .locator('#verify-seal', { hasText: 'Sealed, but not by this clinic — do not rely on it.' })
      .waitFor();
    expect(await page.locator('#verify-outcome').textContent()).toContain('Not verified.');
    await expectNoAxeViolations(page, 'dashboard: untrusted seal');
    rmSync(file, { force: true });
    rmSync(changedFile, { force: true });
    rmSync(forgedFile, { force: true });
    expect(unexpectedProblems(problems)).toEqual([]);
    await context.close();
  });
});

describe('staff sign-in in AWS', () => {
  it('goes through the Cognito hosted UI (authorization code with PKCE) and comes back signed in', async () => {
    const domain = 'https://meso-consent-test.auth.me-central-1.amazoncognito.com';
    Object.assign(process.env, { COGNITO_DOMAIN: domain, COGNITO_CLIENT_ID: 'test-client-id' });
    resetConfig();
    const { context, page, problems } = await newPage(h, DESKTOP);
    try {
      const idToken = await staffToken(h, DOCTOR, 'doctor');
      const seen: { authorize?: URL; token?: URLSearchParams[]; revoke?: URLSearchParams; logout?: URL } = {
        token: [],
      };
      // The hosted UI is not reachable from here: stand in for it, and record what the page sent.
      await page.route(`${domain}/**`, async (route) => {
        const request = route.request();
        const url = new URL(request.url());
        const cors = { 'access-control-allow-origin': h.appUrl };
        if (url.pathname === '/oauth2/authorize') {
          seen.authorize = url;
          return route.fulfill({
            status: 200,
            contentType: 'text/html',
            body: '<!doctype html><title>Hosted UI</title>',
          });
        }
        if (url.pathname === '/oauth2/token') {
          seen.token?.push(new URLSearchParams(request.postData() ?? ''));
          const body = {
            id_token: idToken,
            access_token: 'access',
            refresh_token: 'refresh-1',
            expires_in: 3600,
            token_type: 'Bearer',
          };
          return route.fulfill({
            status: 200,
            contentType: 'application/json',
            headers: cors,
            body: JSON.stringify(body),
          });
        }
        if (url.pathname === '/oauth2/revoke') {
          seen.revoke = new URLSearchParams(request.postData() ?? '');
          return route.fulfill({ status: 200, headers: cors, body: '' });
        }
        seen.logout = url;
        return route.fulfill({
          status: 200,
          contentType: 'text/html',
          body: '<!doctype html><title>Signed out</title>',
        });
      });

      const res = await page.goto(`${h.appUrl}/clinic#/archive`);
      expect(res?.headers()['content-security-policy']).toContain(`connect-src 'self' ${domain}`);
      await page.getByRole('button', { name: 'Sign in with your clinic account' }).click();
      await page.waitForURL(`${domain}/**`);
      const q = seen.authorize?.searchParams;
      expect(q?.get('response_type')).toBe('code');
      expect(q?.get('client_id')).toBe('test-client-id');
      expect(q?.get('redirect_uri')).toBe(`${h.appUrl}/clinic`);
      expect(q?.get('scope')).toBe('openid email profile');
      expect(q?.get('code_challenge_method')).toBe('S256');
      const state = q?.get('state') ?? '';
      const challenge = q?.get('code_challenge') ?? '';

      // Cognito redirects back with a one-time code; the page exchanges it with the PKCE verifier.
      await page.goto(`${h.appUrl}/clinic?code=one-time-code&state=${state}`);
      await page.getByRole('heading', { name: 'Archive' }).waitFor();
      const exchange = seen.token?.[0];
      expect(exchange?.get('grant_type')).toBe('authorization_code');
      expect(exchange?.get('code')).toBe('one-time-code');
      expect(exchange?.get('redirect_uri')).toBe(`${h.appUrl}/clinic`);
      const verifier = exchange?.get('code_verifier') ?? '';
      expect(createHash('sha256').update(verifier).digest('base64url')).toBe(challenge);
      expect(page.url()).toBe(`${h.appUrl}/clinic#/archive`);
      expect(await page.getByText('Dr. Amal Nasser').count()).toBe(1);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.waitForURL(`${domain}/logout**`);
      expect(seen.revoke?.get('token')).toBe('refresh-1');
      expect(seen.logout?.searchParams.get('logout_uri')).toBe(`${h.appUrl}/clinic`);
      expect(unexpectedProblems(problems)).toEqual([]);
    } finally {
      delete process.env.COGNITO_DOMAIN;
      delete process.env.COGNITO_CLIENT_ID;
      resetConfig();
      await context.close();
    }
  });
});
