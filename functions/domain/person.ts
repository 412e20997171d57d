import * as z from 'zod';
import { hasControlCharacters } from './text';

/** Text a person enters that appears on legal documents: names and typed signatures. */

export { hasControlCharacters };

export const personNameSchema = z
  .string()
  .trim()
  .min(1, 'Required')
  .max(120, 'At most 120 characters')
  .refine((s) => !hasControlCharacters(s), 'Must not contain line breaks or control characters');
