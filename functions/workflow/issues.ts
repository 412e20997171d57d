import type { z } from 'zod';
import type { ValidationIssue } from '../domain/errors';

/** zod issues → API.md `issues` (`answers.pregnant`, `signature.name` …), without echoing values. */
export function issueTo(prefix: string, error: z.ZodError): ValidationIssue[] {
  return error.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter(Boolean).join('.'),
    message: i.message,
  }));
}
