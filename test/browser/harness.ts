import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { REPO_ROOT } from '../../infra/local/stack';
import { Api, type StoredEmail } from '../support/client';
import { startTestStack, type TestStack } from '../support/stack';
import { ensureChromium } from './chromium';

/**
 * What every browser test file shares: the local stack in this process (in-memory DynamoDB), Debian's
 * Chromium through playwright-core, axe-core, screenshots into docs/screenshots/, and a few helpers that
 * act like a person (sign in, draw a signature).
 */

// The handlers' access log (one JSON line per request) would drown the test output.
process.env.LOG_LEVEL ??= 'WARN';

export const PHONE = { width: 375, height: 812 } as const;
export const DESKTOP = { width: 1280, height: 800 } as const;
export const SMALL_PHONE = { width: 320, height: 640 } as const;
export const SCREENSHOT_DIR = join(REPO_ROOT, 'docs/screenshots');

export const COORDINATOR = 'coordinator@demo-clinic.example.test';
export const DOCTOR = 'doctor@demo-clinic.example.test';

/** Flags from DEPENDENCIES.md / the machine notes: no background traffic on a closed network. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * The page globals that test code running inside the browser (page.evaluate) touches. The project's
 * tsconfig has no DOM lib (it is a Node project), so they are typed here, narrowly.
 */
export interface InPage {
  axe?: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: unknown[] }> };
  document: { activeElement: { id: string } | null; documentElement: { scrollWidth: number } };
  innerWidth: number;
  scrollTo(x: number, y: number): void;
  localStorage: Record<string, string>;
}

export interface Harness {
  stack: TestStack;
  browser: Browser;
  appUrl: string;
  sesUrl: string;
  /** The shared API client (test/support/client.ts), for set-up that is not itself under test. */
  api: Api;
  stop(): Promise<void>;
}

/** The local stack on free ports and Chromium, side by side. */
export async function startHarness(): Promise<Harness> {
  const executablePath = ensureChromium();
  const [stack, browser] = await Promise.all([
    startTestStack({ sweepIntervalMs: 1_000 }),
    // playwright starts Chromium with a new, empty temporary profile (--user-data-dir) and removes it on close.
    chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true }),
  ]);
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const api = new Api(stack.appUrl, stack.sesUrl);
  return {
    stack,
    browser,
    appUrl: stack.appUrl,
    sesUrl: stack.sesUrl,
    api,
    stop: async () => {
      api.close();
      await browser.close().catch(() => undefined);
      await stack.stop();
    },
  };
}

export interface PageProblems {
  /** Console errors, failed requests of our own origin, CSP violations, uncaught exceptions. */
  errors: string[];
}

/**
 * A new context (its own storage) and page at a viewport. Collects console errors and page errors, so
 * a test can assert that nothing went wrong behind the screen (e.g. a CSP violation).
 */
export async function newPage(
  h: Harness,
  viewport: { width: number; height: number },
  opts: { locale?: string } = {},
): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
  const phone = viewport.width < 600;
  const context = await h.browser.newContext({
    viewport,
    deviceScaleFactor: 1,
    isMobile: phone,
    hasTouch: phone,
    locale: opts.locale ?? 'en-GB',
    acceptDownloads: true,
  });
  const page = await context.newPage();
  const problems: PageProblems = { errors: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.errors.push(`pageerror: ${err.message}`));
  return { context, page, problems };
}

/** Console errors that are expected: the browser logs every 4xx fetch, which some tests provoke. */
export function unexpectedProblems(problems: PageProblems, allowStatuses: number[] = []): string[] {
  return problems.errors.filter((e) => !allowStatuses.some((s) => e.includes(`status of ${s}`)));
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core (WCAG 2.0/2.1 A and AA rules) on the page as it is now and expects zero violations.
 * axe is evaluated through the DevTools protocol rather than a <script> tag: the pages' CSP
 * (script-src 'self') rightly refuses inline scripts, and the tests must not switch the CSP off.
 */
export async function expectNoAxeViolations(page: Page, state: string): Promise<void> {
  const hasAxe = await page.evaluate(() => typeof (globalThis as unknown as InPage).axe === 'object');
  if (!hasAxe) await page.evaluate(axeSource);
  const violations = await page.evaluate(async () => {
    const g = globalThis as unknown as Required<InPage>;
    const result = await g.axe.run(g.document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
      resultTypes: ['violations'],
    });
    return (
      result.violations as {
        id: string;
        impact: string;
        help: string;
        nodes: { target: string[]; failureSummary: string }[];
      }[]
    ).map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')} — ${n.failureSummary}`),
    }));
  });
  expect(violations, `axe violations on "${state}":\n${JSON.stringify(violations, null, 2)}`).toEqual([]);
}

/** Writes docs/screenshots/<name>.png (the viewport as the person sees it, or the whole page). */
export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  await page.screenshot({
    path: join(SCREENSHOT_DIR, `${name}.png`),
    fullPage: opts.fullPage ?? false,
    animations: 'disabled',
  });
}

/**
 * Draws a signature on a canvas with the mouse (pointer events), as a person would: a few strokes.
 */
export async function drawSignature(page: Page, canvas: Locator): Promise<void> {
  await canvas.scrollIntoViewIfNeeded();
  const strokes: [number, number][][] = [
    [
      [0.1, 0.62],
      [0.16, 0.3],
      [0.22, 0.66],
      [0.28, 0.34],
      [0.34, 0.68],
      [0.42, 0.4],
      [0.5, 0.64],
    ],
    [
      [0.56, 0.5],
      [0.63, 0.3],
      [0.68, 0.7],
      [0.76, 0.36],
      [0.86, 0.6],
    ],
  ];
  for (const stroke of strokes) {
    // Measured per stroke: the page must not have moved under the pen.
    const box = await canvas.boundingBox();
    if (!box) throw new Error('signature canvas is not visible');
    const at = ([x, y]: [number, number]) => [box.x + x * box.width, box.y + y * box.height] as const;
    const [first, ...rest] = stroke as [[number, number], ...[number, number][]];
    await page.mouse.move(...at(first));
    await page.mouse.down();
    for (const point of rest) await page.mouse.move(...at(point), { steps: 6 });
    await page.mouse.up();
  }
}

/** Signs in on the dashboard's local sign-in form (what /local/login stands in for: Cognito). */
export async function signInToDashboard(
  page: Page,
  appUrl: string,
  email: string,
  role: 'doctor' | 'coordinator',
  hash = '',
) {
  await page.goto(`${appUrl}/clinic${hash}`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByRole('radio', { name: role === 'doctor' ? 'Doctor' : 'Coordinator' }).check();
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

/** A staff bearer token straight from the API, for test setup that is not itself under test. */
export function staffToken(h: Harness, email: string, role: 'doctor' | 'coordinator'): Promise<string> {
  return h.api.login(role, 'demo', email);
}

/** Creates an intake link through the API (for tests about the patient page alone). */
export async function createInvite(
  h: Harness,
  patient: { fullName: string; email: string; locale: 'en' | 'ar'; phone?: string },
  branchId?: string,
): Promise<string> {
  const token = await staffToken(h, COORDINATOR, 'coordinator');
  const inv = await h.api.invite(token, patient, branchId ? { branchId } : {});
  return inv.intakeUrl;
}

/** The e-mails aws-ses-v2-local holds. */
export const sesEmails = (h: Harness): Promise<StoredEmail[]> => h.api.sentEmails();

/** Polls until `check` returns a value (mail goes out after commit, through the stream). */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 30_000,
  what = 'condition',
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}
