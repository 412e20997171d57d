/** The deployment's public addresses, built from its base URL (APP_URL). */

/** The patient's intake page for a link token. */
export function intakeUrl(appUrl: string, token: string): string {
  return `${appUrl.replace(/\/$/, '')}/intake/${token}`;
}

/** The clinic's public page where anyone holding a consent PDF can check it (the final e-mail links it). */
export function verifyPageUrl(appUrl: string): string {
  return `${appUrl.replace(/\/$/, '')}/clinic#/verify`;
}
