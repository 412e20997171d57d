import { randomBytes } from 'node:crypto';
import { sha256Hex } from './ids';

/**
 * Intake-link tokens: 256 bits from the CSPRNG, base64url (43 characters). Only the SHA-256 of a
 * token is ever stored; the token itself exists in the link the patient holds and nowhere else.
 */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function newLinkToken(): string {
  return randomBytes(32).toString('base64url');
}

export function hashLinkToken(token: string): string {
  return sha256Hex(`intake-link:${token}`);
}

export function isWellFormedToken(token: string): boolean {
  return TOKEN_PATTERN.test(token);
}

/** "layla@example.test" → "l***@example.test"; "+971500000000" → "+971 *** **00". For evidence, not logs. */
export function maskEmail(email: string): string {
  const [local = '', domain = ''] = email.split('@');
  return `${local.slice(0, 1)}***@${domain}`;
}

export function maskPhone(phone: string): string {
  const digits = phone.replace(/[^0-9+]/g, '');
  return `${digits.slice(0, 4)} *** **${digits.slice(-2)}`;
}
