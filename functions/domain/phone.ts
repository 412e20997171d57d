import { type CountryCode, parsePhoneNumberFromString } from 'libphonenumber-js/min';
import type { Branch } from './model';

/**
 * Phone numbers in E.164 (+971501234567), normalised with libphonenumber-js (Google's metadata, kept
 * current by its maintainers). A number written without a country code is read as one of the branch's
 * country — taken from the branch's own phone number, or its time zone — so a Dubai coordinator's
 * `050 123 4567` is +971501234567, never wa.me/0501234567.
 */
const COUNTRY_BY_ZONE: Record<string, CountryCode> = {
  'Asia/Dubai': 'AE',
  'Africa/Cairo': 'EG',
  'Asia/Riyadh': 'SA',
  'Asia/Qatar': 'QA',
  'Asia/Bahrain': 'BH',
  'Asia/Kuwait': 'KW',
  'Asia/Muscat': 'OM',
  'Asia/Amman': 'JO',
  'Asia/Beirut': 'LB',
};

export function branchCountry(branch: Pick<Branch, 'phone' | 'timeZone'>): CountryCode | undefined {
  const fromPhone = parsePhoneNumberFromString(branch.phone ?? '')?.country;
  return fromPhone ?? COUNTRY_BY_ZONE[branch.timeZone];
}

/** E.164 for a number that can exist, else undefined (`050 12` parses, but is not a valid number). */
export function toE164(raw: string, defaultCountry: CountryCode | undefined): string | undefined {
  const parsed = parsePhoneNumberFromString(raw.trim(), defaultCountry ? { defaultCountry } : undefined);
  return parsed?.isValid() ? parsed.number : undefined;
}

/** The digits wa.me wants: E.164 without the plus. */
export function whatsappDigits(e164: string): string {
  return e164.replace(/^\+/, '');
}
