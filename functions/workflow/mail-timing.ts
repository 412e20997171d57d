/**
 * The mail timing argument, as numbers (docs/design.md, "The mail timing argument"). A worker holds a
 * mail's lease from its claim; it starts a send only while the lease still covers the worst case of that
 * send plus a margin, and the SES client's own timeouts bound the worst case. So a send ends (accepted,
 * failed or timed out) before the lease does, and no second worker can send the same mail meanwhile.
 *
 *   worstCaseSendMs = maxAttempts × (connectionTimeoutMs + requestTimeoutMs) + (maxAttempts − 1) × SDK_MAX_RETRY_DELAY_MS
 *   worstCaseSendMs + LEASE_MARGIN_MS ≤ leaseMs
 *
 * The functions' timeouts (infra/routes.ts `workers`) sit in between: longer than one worst-case send,
 * shorter than the lease, so even a worker killed mid-send has stopped before its lease runs out. And a
 * worker starts no send its own remaining time cannot finish (hasTimeForSend), so it is not killed mid-send.
 */

/** The SDK's longest wait between two attempts: its 20 s backoff cap plus the 5 s it allows a server's retry hint. */
export const SDK_MAX_RETRY_DELAY_MS = 25_000;
/** Clock skew between workers and the time between the guard's check and the request leaving. */
export const LEASE_MARGIN_MS = 5_000;
/** The default lease (MAIL_LEASE_SECONDS). */
export const DEFAULT_MAIL_LEASE_SECONDS = 60;

export interface MailTiming {
  leaseMs: number;
  /** The SES client's settings (functions/adapters/clients.ts). */
  ses: { connectionTimeoutMs: number; requestTimeoutMs: number; maxAttempts: number };
  /** The longest one send can take with those settings, retries and backoff included. */
  worstCaseSendMs: number;
}

export function worstCaseSendMs(ses: MailTiming['ses']): number {
  return (
    ses.maxAttempts * (ses.connectionTimeoutMs + ses.requestTimeoutMs) +
    (ses.maxAttempts - 1) * SDK_MAX_RETRY_DELAY_MS
  );
}

/**
 * The timing for a lease. From a minute up, SES gets two attempts of 2 s to connect and 6 s to answer
 * (SES answers in well under a second; 6 s is generous, so a slow-but-successful send is rarely cut off).
 * A shorter lease (tests, at least 10 s) leaves no room for the SDK's backoff: one attempt of 1 s + 2 s.
 */
export function mailTiming(leaseSeconds = DEFAULT_MAIL_LEASE_SECONDS): MailTiming {
  const ses =
    leaseSeconds >= 60
      ? { connectionTimeoutMs: 2_000, requestTimeoutMs: 6_000, maxAttempts: 2 }
      : { connectionTimeoutMs: 1_000, requestTimeoutMs: 2_000, maxAttempts: 1 };
  const timing = { leaseMs: leaseSeconds * 1000, ses, worstCaseSendMs: worstCaseSendMs(ses) };
  if (timing.worstCaseSendMs + LEASE_MARGIN_MS > timing.leaseMs)
    throw new Error(
      `Invalid configuration: MAIL_LEASE_SECONDS=${leaseSeconds} is shorter than one worst-case send`,
    );
  return timing;
}

/** Whether a worker with `remainingMs` left before its function timeout may still start a send. */
export function hasTimeForSend(remainingMs: number, timing: MailTiming): boolean {
  return remainingMs >= timing.worstCaseSendMs + LEASE_MARGIN_MS;
}
