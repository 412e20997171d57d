import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ui from '../../templates/i18n/ui.json' with { type: 'json' };
import mesotherapy from '../../templates/treatments/mesotherapy.json' with { type: 'json' };
import {
  createInvite,
  DESKTOP,
  DOCTOR,
  eventually,
  expectNoAxeViolations,
  type Harness,
  type InPage,
  newPage,
  PHONE,
  SMALL_PHONE,
  screenshot,
  sesEmails,
  signInToDashboard,
  startHarness,
  unexpectedProblems,
} from './harness';

/**
 * The patient's page on its own: Arabic (right-to-left, completed by keyboard with a typed signature,
 * then countersigned), the language switch, an ineligible patient, validation errors beside their
 * fields (the browser's own checks and the server's), and a reload mid-way.
 */

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
}, 300_000);

afterAll(async () => {
  await h?.stop();
});

type Locale = 'en' | 'ar';
const booleans = mesotherapy.questions.filter((q) => q.type === 'boolean');
const question = (id: string) => {
  const q = mesotherapy.questions.find((x) => x.id === id);
  if (!q) throw new Error(`no question ${id}`);
  return q;
};

/** Answers the yes/no questions: "No" unless listed in `yes`. By keyboard when asked (focus + Space). */
async function answerMedical(page: Page, locale: Locale, opts: { yes?: string[]; keyboard?: boolean } = {}) {
  for (const q of booleans) {
    const answer = opts.yes?.includes(q.id) ? ui[locale]['answer.yes'] : ui[locale]['answer.no'];
    const radio = page
      .getByRole('group', { name: q.label[locale] })
      .getByRole('radio', { name: answer, exact: true });
    if (opts.keyboard) {
      await radio.focus();
      await page.keyboard.press('Space');
      expect(await radio.isChecked()).toBe(true);
    } else {
      await radio.check();
    }
  }
}

async function openInvite(page: Page, locale: Locale, name: string, branchId?: string, phone?: string) {
  const url = await createInvite(
    h,
    {
      fullName: name,
      email: `${name.split(' ')[0]?.toLowerCase() ?? 'p'}@example.test`,
      locale,
      ...(phone ? { phone } : {}),
    },
    branchId,
  );
  await page.goto(url);
  await page.locator('#step-heading').waitFor();
  return url;
}

describe('the patient page', () => {
  it('opens an Arabic invite right-to-left in Arabic, and is completed by keyboard with a typed signature', async () => {
    const { context, page, problems } = await newPage(h, PHONE, { locale: 'ar-AE' });
    await openInvite(page, 'ar', 'Mariam Saleh');
    const html = page.locator('html');
    expect(await html.getAttribute('dir')).toBe('rtl');
    expect(await html.getAttribute('lang')).toBe('ar');
    expect(await page.locator('#step-heading').textContent()).toContain('مرحبًا');
    expect(await page.getByLabel(question('dateOfBirth').label.ar).count()).toBe(1);
    expect(await page.getByRole('button', { name: ui.ar['nav.next'] }).count()).toBe(1);
    await expectNoAxeViolations(page, 'Arabic: about you');
    await screenshot(page, 'intake-ar-1-about-phone');

    await page.getByLabel(question('dateOfBirth').label.ar).fill('1992-03-08');
    await page.getByLabel(question('dateOfBirth').label.ar).press('Enter');
    await page.getByRole('heading', { name: ui.ar['step.medical'] }).waitFor();
    await answerMedical(page, 'ar', { keyboard: true });
    await page.evaluate(() => (globalThis as unknown as InPage).scrollTo(0, 0));
    await expectNoAxeViolations(page, 'Arabic: medical questions');
    await screenshot(page, 'intake-ar-2-medical-phone');
    await page.getByRole('button', { name: ui.ar['nav.next'] }).press('Enter');

    await page.getByRole('heading', { name: ui.ar['step.areas'] }).waitFor();
    const area = page.getByRole('checkbox', { name: 'الوجه' });
    await area.focus();
    await page.keyboard.press('Space');
    const concern = page.getByRole('checkbox', { name: 'التجاعيد والخطوط الدقيقة' });
    await concern.focus();
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: ui.ar['nav.sendAnswers'] }).press('Enter');

    await page.getByRole('heading', { name: 'الموافقة على الميزوثيرابي' }).waitFor();
    expect(await html.getAttribute('dir')).toBe('rtl');
    await expectNoAxeViolations(page, 'Arabic: consent');
    await screenshot(page, 'intake-ar-3-consent-phone');

    const risks = page.getByRole('checkbox', { name: new RegExp(ui.ar['consent.riskAck']) });
    const count = await risks.count();
    expect(count).toBeGreaterThanOrEqual(10);
    for (let i = 0; i < count; i++) {
      await risks.nth(i).focus();
      await page.keyboard.press('Space');
    }
    for (const d of mesotherapy.declarations) {
      await page.getByRole('checkbox', { name: d.text.ar }).focus();
      await page.keyboard.press('Space');
    }
    await page.getByRole('radio', { name: ui.ar['sign.type'] }).focus();
    await page.keyboard.press('Space');
    await page.getByLabel(ui.ar['sign.typedLabel']).focus();
    await page.keyboard.type('مريم صالح');
    await page.getByRole('button', { name: ui.ar['sign.submit'] }).focus();
    await screenshot(page, 'intake-ar-4-typed-signature-phone');
    await page.keyboard.press('Enter');

    await page.getByRole('heading', { name: ui.ar['done.title'] }).waitFor({ timeout: 30_000 });
    await expectNoAxeViolations(page, 'Arabic: signed');
    await screenshot(page, 'intake-ar-5-signed-phone');
    expect(unexpectedProblems(problems)).toEqual([]);
    await context.close();
  });

  it('the doctor countersigns the Arabic consent with a typed name, and the patient gets the PDF', async () => {
    const { context, page, problems } = await newPage(h, DESKTOP);
    await signInToDashboard(page, h.appUrl, DOCTOR, 'doctor');
    await page.getByRole('link', { name: 'Mariam Saleh', exact: true }).click();
    await page.getByRole('heading', { name: 'Mariam Saleh', level: 1 }).waitFor();
    await page.getByRole('radio', { name: 'Type my full name' }).check();
    await page.getByLabel('Your full name').fill('Dr. Amal Nasser');
    await page.getByRole('button', { name: 'Countersign' }).click();
    await page.getByText('Countersigned. The final PDF is being e-mailed').waitFor({ timeout: 30_000 });
    await eventually(
      async () =>
        (await sesEmails(h)).find(
          (m) =>
            m.destination?.to?.includes('mariam@example.test') &&
            (m.attachments ?? []).some((a) => a.contentType?.startsWith('application/pdf')),
        ),
      45_000,
      'the Arabic patient’s final e-mail',
    );
    expect(unexpectedProblems(problems)).toEqual([]);
    await context.close();
  });

  it('switches the whole page between English and Arabic, keeping what was typed', async () => {
    const { context, page, problems } = await newPage(h, PHONE);
    await openInvite(page, 'en', 'Sara Khan');
    const dob = page.getByLabel(question('dateOfBirth').label.en);
    await dob.fill('1988-11-02');
    await page.getByRole('button', { name: 'عربي' }).click();
    expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
    expect(await page.locator('html').getAttribute('lang')).toBe('ar');
    expect(await page.getByLabel(question('dateOfBirth').label.ar).inputValue()).toBe('1988-11-02');
    expect(
      await page
        .getByRole('button', { name: 'English' })
        .evaluate((el) => el === (globalThis as unknown as InPage).document.activeElement),
    ).toBe(true);
    await expectNoAxeViolations(page, 'language switched to Arabic');
    await page.getByRole('button', { name: 'English' }).click();
    expect(await page.locator('html').getAttribute('dir')).toBe('ltr');
    expect(await page.getByLabel(question('dateOfBirth').label.en).inputValue()).toBe('1988-11-02');
    expect(unexpectedProblems(problems)).toEqual([]);
    await context.close();
  });

  it('tells an ineligible (pregnant) patient kindly, with the clinic’s phone and WhatsApp, and shows no consent', async () => {
    const { context, page, problems } = await newPage(h, PHONE);
    const url = await openInvite(page, 'en', 'Nour Adel', 'new-cairo', '+20 100 123 4567');
    await page.getByLabel(question('dateOfBirth').label.en).fill('1995-07-21');
    await page.getByRole('button', { name: 'Continue' }).click();
    await answerMedical(page, 'en', { yes: ['pregnant'] });
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('checkbox', { name: 'Scalp' }).check();
    await page.getByRole('checkbox', { name: 'Hair loss' }).check();
    await page.getByRole('button', { name: 'Send my answers' }).click();

    await page.getByRole('heading', { name: ui.en['result.ineligibleTitle'] }).waitFor();
    expect(await page.locator('#ineligible-message').textContent()).toBe(mesotherapy.ineligibleMessage.en);
    expect(await page.getByRole('link', { name: /WhatsApp/ }).getAttribute('href')).toBe(
      'https://wa.me/201000000000',
    );
    expect(await page.getByRole('link', { name: /Call New Cairo/ }).getAttribute('href')).toBe(
      'tel:+20200000000',
    );
    expect(await page.getByRole('checkbox').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Sign the consent' }).count()).toBe(0);
    expect(await page.getByText('Consent for Mesotherapy').count()).toBe(0);
    await expectNoAxeViolations(page, 'ineligible');
    await screenshot(page, 'intake-ineligible-phone');

    // Reopening the link shows the same answer (the server closed it for changes), in Arabic too.
    await page.goto(url);
    await page.getByRole('heading', { name: ui.en['result.ineligibleTitle'] }).waitFor();
    await page.getByRole('button', { name: 'عربي' }).click();
    expect(await page.locator('#ineligible-message').textContent()).toBe(mesotherapy.ineligibleMessage.ar);
    await expectNoAxeViolations(page, 'ineligible, Arabic');
    await screenshot(page, 'intake-ar-ineligible-phone');
    expect(unexpectedProblems(problems)).toEqual([]);
    await context.close();
  });

  it('shows validation errors beside their fields: the page’s own checks, then the server’s 400, 409 and 410', async () => {
    const { context, page, problems } = await newPage(h, PHONE);
    await openInvite(page, 'en', 'Omar Farouk');
    await page.getByLabel(question('dateOfBirth').label.en).fill('1985-01-30');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Medical questions' }).waitFor();

    // Nothing answered: every question is marked, each with its message beside it.
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.locator('#error-summary').waitFor();
    expect(await page.evaluate(() => (globalThis as unknown as InPage).document.activeElement?.id)).toBe(
      'error-summary',
    );
    const pregnant = page.getByRole('group', { name: question('pregnant').label.en });
    expect(await pregnant.getAttribute('aria-describedby')).toContain('q-pregnant-error');
    expect(await page.locator('#q-pregnant-error').textContent()).toBe(ui.en['error.yesNo']);
    expect(await pregnant.getByRole('radio', { name: 'Yes' }).getAttribute('aria-invalid')).toBe('true');
    await expectNoAxeViolations(page, 'medical step with errors');
    await screenshot(page, 'intake-errors-phone');

    // Answering clears the message in place.
    await pregnant.getByRole('radio', { name: 'No' }).check();
    expect(await page.locator('#q-pregnant-error').count()).toBe(0);

    // "Yes" to blood thinners without saying which: the page asks for the details before sending.
    await answerMedical(page, 'en', { yes: ['bloodThinners'] });
    await page.getByRole('button', { name: 'Continue' }).click();
    const details = page.getByLabel(question('bloodThinnerDetails').label.en);
    await expect.poll(() => details.getAttribute('aria-invalid')).toBe('true');
    expect(await page.locator('#q-bloodThinnerDetails-error').textContent()).toBe(ui.en['error.details']);
    await details.fill('Clopidogrel 75 mg');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('checkbox', { name: 'Neck' }).check();
    await page.getByRole('checkbox', { name: 'Sagging skin' }).check();

    // The server's 400 names `answers.bloodThinnerDetails`: the page returns to that field and marks it.
    await page.route('**/answers', (route) =>
      route.fulfill({
        status: 400,
        contentType: 'application/json',
        body: JSON.stringify({
          error: 'validation_failed',
          message: 'Some answers are missing or not valid.',
          issues: [{ path: 'answers.bloodThinnerDetails', message: 'Required when bloodThinners is yes' }],
        }),
      }),
    );
    await page.getByRole('button', { name: 'Send my answers' }).click();
    await page.getByRole('heading', { name: 'Medical questions' }).waitFor();
    await expect.poll(() => details.getAttribute('aria-invalid')).toBe('true');
    expect(await details.getAttribute('aria-describedby')).toContain('q-bloodThinnerDetails-error');
    expect(await page.locator('#q-bloodThinnerDetails-error').textContent()).toBe(ui.en['error.details']);
    expect(await details.inputValue()).toBe('Clopidogrel 75 mg');
    await expectNoAxeViolations(page, 'server validation error');
    await page.locator('#q-bloodThinnerDetails-wrap').scrollIntoViewIfNeeded();
    await screenshot(page, 'intake-server-error-phone');

    // 409: the record moved on elsewhere; the page says so and shows where it stands.
    await page.unroute('**/answers');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.route('**/answers', (route) =>
      route.fulfill({
        status: 409,
        contentType: 'application/json',
        body: JSON.stringify({ error: 'conflict', message: 'x' }),
      }),
    );
    await page.getByRole('button', { name: 'Send my answers' }).click();
    await page.getByText(ui.en['error.conflict']).waitFor();
    await expectNoAxeViolations(page, 'conflict message');

    // 410: the link expired meanwhile.
    await page.unroute('**/answers');
    await page.route('**/answers', (route) =>
      route.fulfill({
        status: 410,
        contentType: 'application/json',
        body: JSON.stringify({ error: 'link_expired', message: 'x' }),
      }),
    );
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Send my answers' }).click();
    await page.getByRole('heading', { name: ui.en['error.expired'] }).waitFor();
    expect(unexpectedProblems(problems, [400, 409, 410])).toEqual([]);
    await context.close();
  });

  it('says "try again in a moment" in the patient’s language when the service answers 503, and recovers', async () => {
    const { context, page, problems } = await newPage(h, PHONE, { locale: 'ar-AE' });
    const url = await createInvite(h, { fullName: 'Huda Salem', email: 'huda@example.test', locale: 'ar' });
    const unavailable = (route: import('playwright-core').Route) =>
      route.fulfill({
        status: 503,
        headers: { 'retry-after': '5' },
        contentType: 'application/json',
        body: JSON.stringify({ error: 'service_unavailable', message: 'x' }),
      });
    // The page itself loads; its data (the same URL as JSON) meets the outage.
    await page.route(url, (route) =>
      route.request().headers().accept?.includes('application/json') ? unavailable(route) : route.continue(),
    );
    await page.goto(url);
    await page.getByRole('heading', { name: ui.ar['page.unavailable'] }).waitFor();
    expect(await page.getAttribute('html', 'dir')).toBe('rtl');
    await page.getByRole('link', { name: ui.ar['page.retry'] }).waitFor();
    await expectNoAxeViolations(page, 'first load during an outage');

    // Back: "try again" reloads the form; a 503 on sending the answers is a banner, the answers stay.
    await page.unroute(url);
    await page.getByRole('link', { name: ui.ar['page.retry'] }).click();
    await page.getByLabel(question('dateOfBirth').label.ar).fill('1990-04-12');
    await page.getByRole('button', { name: ui.ar['nav.next'] }).click();
    await page.getByRole('heading', { name: ui.ar['step.medical'] }).waitFor();
    await answerMedical(page, 'ar');
    await page.getByRole('button', { name: ui.ar['nav.next'] }).click();
    await page.getByRole('heading', { name: ui.ar['step.areas'] }).waitFor();
    await page.getByRole('checkbox', { name: 'الوجه' }).check();
    await page.getByRole('checkbox', { name: 'التجاعيد والخطوط الدقيقة' }).check();
    await page.route('**/answers', unavailable);
    await page.getByRole('button', { name: ui.ar['nav.sendAnswers'] }).click();
    await page.getByText(ui.ar['error.unavailable']).waitFor();
    expect(await page.getByRole('checkbox', { name: 'الوجه' }).isChecked()).toBe(true);
    expect(unexpectedProblems(problems, [503])).toEqual([]);
    await context.close();
  });

  it('keeps every answer across a reload mid-way, keyed by a hash of the token, at 320 px wide', async () => {
    const { context, page, problems } = await newPage(h, SMALL_PHONE);
    const url = await openInvite(page, 'en', 'Hana Yusuf');
    const token = url.split('/').at(-1) ?? '';
    const overflow = () =>
      page.evaluate(() => {
        const g = globalThis as unknown as InPage;
        return g.document.documentElement.scrollWidth - g.innerWidth;
      });
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page.getByLabel(question('dateOfBirth').label.en).fill('1979-09-09');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Medical questions' }).waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await page
      .getByRole('group', { name: question('pregnant').label.en })
      .getByRole('radio', { name: 'No' })
      .check();
    await page
      .getByRole('group', { name: question('allergies').label.en })
      .getByRole('radio', { name: 'Yes' })
      .check();
    await page.getByLabel(question('allergyDetails').label.en).fill('Penicillin: hives');
    await page.getByLabel(/Which other medicines/).fill('Vitamin D');
    await screenshot(page, 'intake-320-medical');
    await page.waitForTimeout(400);

    await page.reload();
    await page.getByRole('heading', { name: 'Medical questions' }).waitFor();
    expect(
      await page
        .getByRole('group', { name: question('pregnant').label.en })
        .getByRole('radio', { name: 'No' })
        .isChecked(),
    ).toBe(true);
    expect(
      await page
        .getByRole('group', { name: question('allergies').label.en })
        .getByRole('radio', { name: 'Yes' })
        .isChecked(),
    ).toBe(true);
    expect(await page.getByLabel(question('allergyDetails').label.en).inputValue()).toBe('Penicillin: hives');
    expect(await page.getByLabel(/Which other medicines/).inputValue()).toBe('Vitamin D');
    await page.getByRole('button', { name: 'Back' }).click();
    expect(await page.getByLabel(question('dateOfBirth').label.en).inputValue()).toBe('1979-09-09');

    const keys = await page.evaluate(() => Object.keys((globalThis as unknown as InPage).localStorage));
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^intake:[0-9a-f]{64}$/);
    const stored = await page.evaluate(() =>
      JSON.stringify({ ...(globalThis as unknown as InPage).localStorage }),
    );
    expect(stored).not.toContain(token);
    await expectNoAxeViolations(page, '320 px, after reload');
    expect(unexpectedProblems(problems)).toEqual([]);
    await context.close();
  });

  it('serves the pages with the security headers', async () => {
    const url = await createInvite(h, {
      fullName: 'Header Check',
      email: 'headers@example.test',
      locale: 'en',
    });
    for (const target of [url, `${h.appUrl}/clinic`, `${h.appUrl}/assets/intake.js`]) {
      const res = await fetch(target);
      expect(res.status).toBe(200);
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).toContain("base-uri 'none'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('strict-transport-security')).toContain('max-age=');
      if (!target.includes('/assets/')) {
        expect(res.headers.get('cache-control')).toBe('no-store');
        const body = await res.text();
        expect(body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
        expect(body).not.toMatch(/\sstyle=/);
      }
    }
  });
});
