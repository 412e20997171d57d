import type { AuditEvent } from '../domain/audit';
import { sha256Hex } from '../domain/ids';
import type { Clock, ConsentStore } from './ports';

const DAY_SECONDS = 24 * 3600;

/**
 * Appends a look-up event (link opened, PDF downloaded) at most once per day for the same consent,
 * actor and detail: the rest of the day's repeats are only counted, in a short-lived rate counter. A link
 * opened thousands of times a day therefore adds one event a day, and the audit page (which also
 * summarises repeats) stays bounded. State changes never go through here: each of those is recorded.
 */
export async function appendLookupEvent(
  deps: { store: ConsentStore; clock: Clock },
  clinicId: string,
  event: AuditEvent,
): Promise<boolean> {
  const nowSec = Math.floor(deps.clock.now().getTime() / 1000);
  const dayStart = nowSec - (nowSec % DAY_SECONDS);
  const key = `lookup#${sha256Hex(JSON.stringify([clinicId, event.consentId, event.type, event.actor, event.data])).slice(0, 32)}`;
  const seen = await deps.store.countHit(key, dayStart, dayStart + 2 * DAY_SECONDS);
  if (seen > 1) return false;
  await deps.store.appendEvent(clinicId, event);
  return true;
}
