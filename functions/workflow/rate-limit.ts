import { ThrottledError } from '../domain/errors';
import { sha256Hex } from '../domain/ids';
import type { Clock, ConsentStore } from './ports';

/**
 * Fixed-window rate limits kept in the table (one atomic counter per key and window, expiring by
 * TTL), so they hold across every Lambda container. Generous per IP: a clinic's waiting room
 * shares one public address.
 */
export const LIMITS = {
  /** One intake link: a patient needs a few dozen requests; a script hammering one link is stopped. */
  link: { limit: 60, windowSeconds: 600 },
  /** One address on the patient routes (a clinic's Wi-Fi is one address for the whole room). */
  patientIp: { limit: 1200, windowSeconds: 600 },
  /** One address on the anonymous /verify. */
  verifyIp: { limit: 60, windowSeconds: 600 },
} as const;

export async function enforceRateLimit(
  deps: { store: ConsentStore; clock: Clock },
  scope: keyof typeof LIMITS,
  key: string,
): Promise<void> {
  const { limit, windowSeconds } = LIMITS[scope];
  const nowMs = deps.clock.now().getTime();
  const nowSec = Math.floor(nowMs / 1000);
  const windowStart = nowSec - (nowSec % windowSeconds);
  // Keys are hashed: neither tokens nor addresses are stored in clear.
  const hits = await deps.store.countHit(
    `${scope}#${sha256Hex(key).slice(0, 32)}`,
    windowStart,
    windowStart + windowSeconds * 2,
  );
  // The real wait: the counter starts again when this window ends (Retry-After), not "a moment".
  if (hits > limit) throw new ThrottledError(((windowStart + windowSeconds) * 1000 - nowMs) / 1000);
}
