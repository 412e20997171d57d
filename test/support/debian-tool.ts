import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/**
 * Tests that let a tool nobody here wrote judge an artefact (Chromium for the pages, Poppler's pdfsig for
 * the seal) need that tool; a fresh machine may not have it. Install it with apt (the tests run as root,
 * or with passwordless sudo), so `npm ci && npm test` works from nothing — and never skip silently:
 * when the install fails, the test fails with a message that says what to do.
 */
export function ensureDebianTool(opts: {
  binary: string;
  pkg: string;
  versionArgs: string[];
  purpose: string;
}): string {
  const works = () => {
    if (!existsSync(opts.binary)) return false;
    try {
      execFileSync(opts.binary, opts.versionArgs, { stdio: 'pipe', timeout: 30_000 });
      return true;
    } catch {
      return false;
    }
  };
  if (ensured.has(opts.binary) || works()) {
    ensured.add(opts.binary);
    return opts.binary;
  }
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const apt = (args: string[]) =>
    execFileSync(isRoot ? 'apt-get' : 'sudo', isRoot ? args : ['-n', 'apt-get', ...args], {
      stdio: 'pipe',
      timeout: 600_000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  console.log(`${opts.purpose}: ${opts.binary} not found; installing Debian's ${opts.pkg} with apt-get…`);
  try {
    apt(['update']);
    apt(['install', '-y', '--no-install-recommends', opts.pkg]);
  } catch (err) {
    const e = err as { stderr?: Buffer; message: string };
    throw new Error(
      `${opts.purpose} need ${opts.binary}, and installing it failed (apt-get install ${opts.pkg}, as root): ` +
        `${(e.stderr?.toString() || e.message).trim().slice(-800)}\n` +
        `Install it by hand (Debian/Ubuntu: \`sudo apt-get install ${opts.pkg}\`) and run the tests again.`,
    );
  }
  if (!works()) throw new Error(`apt-get installed ${opts.pkg}, but ${opts.binary} does not run.`);
  ensured.add(opts.binary);
  return opts.binary;
}

const ensured = new Set<string>();
