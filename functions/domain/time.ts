/**
 * Dates and times in a clinic's IANA time zone (e.g. Asia/Dubai, Africa/Cairo), the one place that
 * formats them: the PDF's stamps (UTC in an ISO-like form and the clinic's wall-clock time, from the
 * document, never the clock; bad input is shown as given rather than throwing) and the clinic's calendar
 * date that screening judges age on.
 */
const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatter(timeZone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat('en-CA', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        hourCycle: 'h23',
      });
    } catch {
      f = null; // unknown zone
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** The zone to label clinic times with: the given one when the runtime knows it, else UTC. */
export function usableZone(timeZone: string | undefined): string {
  return timeZone && formatter(timeZone) ? timeZone : 'UTC';
}

function parse(iso: string): Date | undefined {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** "2026-03-01 10:15:03 UTC" */
export function utcStamp(iso: string): string {
  const date = parse(iso);
  if (!date) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** "2026-03-01 14:15:03", wall-clock time in `timeZone` (pass it through `usableZone` first). */
export function localStamp(iso: string, timeZone: string): string {
  const date = parse(iso);
  const f = formatter(timeZone);
  if (!date || !f) return iso;
  const p = parts(f, date);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** Assembled from parts rather than trusting en-CA's pattern, which ICU versions have changed before. */
function parts(f: Intl.DateTimeFormat, date: Date): Record<string, string> {
  return Object.fromEntries(f.formatToParts(date).map((part) => [part.type, part.value]));
}

/** "2026-03-01", the clinic's calendar date. */
export function localDate(iso: string, timeZone: string): string {
  return localStamp(iso, timeZone).slice(0, 10);
}

/**
 * The calendar date (YYYY-MM-DD) at `now` in the clinic's time zone. Age is judged on the clinic's day,
 * not the server's (UTC): 21:30 UTC is already tomorrow in Dubai. Throws RangeError for an unknown time
 * zone — a configuration error, not patient input.
 */
export function clinicLocalDate(now: Date, timeZone: string): string {
  const f = formatter(timeZone);
  if (!f) throw new RangeError(`Invalid time zone specified: ${timeZone}`);
  const p = parts(f, now);
  return `${p.year}-${p.month}-${p.day}`;
}

/** Milliseconds `timeZone`'s wall clock is ahead of UTC at the instant `ms`. */
function zoneOffsetMs(ms: number, f: Intl.DateTimeFormat): number {
  const p = parts(f, new Date(ms));
  const wall = Date.UTC(
    Number(p.year),
    Number(p.month) - 1,
    Number(p.day),
    Number(p.hour),
    Number(p.minute),
    Number(p.second),
  );
  return wall - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * The UTC instants (ms) that the calendar day `day` (YYYY-MM-DD, a real date) spans in `timeZone`: from its
 * local midnight to just before the next one. Clinics' zones have no midnight DST gaps in practice; where the
 * offset changes during the day, both ends use their own offset. Throws RangeError for an unknown zone.
 */
export function localDaySpan(day: string, timeZone: string): { start: number; end: number } {
  const f = formatter(timeZone);
  if (!f) throw new RangeError(`Invalid time zone specified: ${timeZone}`);
  const midnight = (d: string) => {
    const utc = Date.parse(`${d}T00:00:00.000Z`);
    const guess = utc - zoneOffsetMs(utc, f);
    return utc - zoneOffsetMs(guess, f);
  };
  const next = new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString().slice(0, 10);
  return { start: midnight(day), end: midnight(next) - 1 };
}
