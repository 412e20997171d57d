import * as z from 'zod';
import { NotFoundError } from '../domain/errors';
import { ULID_PATTERN } from '../domain/ids';
import { type HttpEvent, pathParam } from './api';

/** Path parameters shared by several routes, validated the same way everywhere. */

export const consentIdSchema = z.string().regex(ULID_PATTERN);

/** A malformed id cannot name a record: 404, like an unknown one. */
export function consentIdParam(event: HttpEvent): string {
  const parsed = consentIdSchema.safeParse(pathParam(event, 'consentId'));
  if (!parsed.success) throw new NotFoundError('No such consent in your clinic.');
  return parsed.data;
}

/** The intake-link token of a patient route (checked and hashed by openIntake; never logged). */
export function tokenParam(event: HttpEvent): string {
  return pathParam(event, 'token');
}
