import { createHash, randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A ULID: 48-bit millisecond time + 80 random bits, Crockford base32. Consent ids sort by creation
 * time, so a clinic's archive is a key-ordered query and a date range is a key range.
 */
export function newUlid(now: number = Date.now(), random: Uint8Array = randomBytes(10)): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let bits = 0n;
  for (const b of random) bits = (bits << 8n) | BigInt(b);
  let rand = '';
  for (let i = 0; i < 16; i++) {
    rand = CROCKFORD[Number(bits & 31n)] + rand;
    bits >>= 5n;
  }
  return time + rand;
}

/** The smallest / largest ULID of a millisecond: bounds for a key-range query on creation time. */
export function ulidBound(ms: number, edge: 'min' | 'max'): string {
  return newUlid(ms, new Uint8Array(10).fill(edge === 'min' ? 0 : 255));
}

const ULID_MAX_MS = 2 ** 48 - 1;

/**
 * The consent-id key range of a creation-time window (ISO instants, inclusive), or undefined when the
 * window holds no possible id (it ends before 1970, or starts after it ends). Instants outside the
 * ULID's time range are clamped, never encoded: a ULID cannot say "before 1970".
 */
export function ulidRange(from?: string, to?: string): { lo: string; hi: string } | undefined {
  const start = from === undefined ? 0 : Date.parse(from);
  const end = to === undefined ? ULID_MAX_MS : Date.parse(to);
  if (Number.isNaN(start) || Number.isNaN(end)) throw new RangeError('Not an ISO instant');
  if (end < 0 || start > ULID_MAX_MS || start > end) return undefined;
  return {
    lo: from === undefined || start <= 0 ? '0' : ulidBound(start, 'min'),
    hi: to === undefined || end >= ULID_MAX_MS ? 'Z' : ulidBound(end, 'max'),
  };
}

export const ULID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}
