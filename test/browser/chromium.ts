import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * The browser tests drive Debian's Chromium (playwright-core cannot download its own browser here, see
 * DEPENDENCIES.md). A fresh machine does not have it: install it with apt (the tests run as root), so
 * `npm ci && npm test` works from nothing. Fails with a message that says what to do instead.
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';

function works(): boolean {
  if (!existsSync(CHROMIUM_PATH)) return false;
  try {
    execFileSync(CHROMIUM_PATH, ['--version'], { stdio: 'pipe', timeout: 30_000 });
    return true;
  } catch {
    return false;
  }
}

let ensured = false;

export function ensureChromium(): string {
  if (ensured || works()) {
    ensured = true;
    return CHROMIUM_PATH;
  }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const apt = (args: string[]) =>
    execFileSync(isRoot ? 'apt-get' : 'sudo', isRoot ? args : ['-n', 'apt-get', ...args], {
      stdio: 'pipe',
      timeout: 600_000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  console.log(`browser tests: ${CHROMIUM_PATH} not found; installing Debian's chromium with apt-get…`);
  try {
    apt(['update']);
    apt(['install', '-y', 'chromium']);
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(
      `The browser tests need Chromium at ${CHROMIUM_PATH}, and installing it failed ` +
        `(apt-get install chromium, as root): ${(e.stderr?.toString() || e.message).trim().slice(-800)}\n` +
        'Install it by hand (Debian/Ubuntu: `sudo apt-get install chromium`) and run the tests again.',
    );
  }
  if (!works()) throw new Error(`apt-get installed chromium, but ${CHROMIUM_PATH} --version does not run.`);
  ensured = true;
  return CHROMIUM_PATH;
}
