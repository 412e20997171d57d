import { ensureDebianTool } from '../support/debian-tool';

/**
 * The browser tests drive Debian's Chromium (playwright-core cannot download its own browser here, see
 * DEPENDENCIES.md); a fresh machine gets it from apt.
 */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export function ensureChromium(): string {
  return ensureDebianTool({
    binary: CHROMIUM_PATH,
    pkg: 'chromium',
    versionArgs: ['--version'],
    purpose: 'The browser tests',
  });
}
