import * as z from 'zod';
import type { Media } from './common';
import { consentStatusSchema, isoTime, pdfKindSchema, sha256Hex } from './shared';

/** The public routes, and the local stack's stand-in for Cognito. */

export const pdfBody: Media = {
  mediaType: 'application/pdf',
  description: 'The PDF bytes to check (at most 4 MB).',
  binary: true,
};

const sealSchema = z.object({
  present: z.boolean(),
  intact: z.boolean().meta({ description: 'The seal verifies over every byte it covers.' }),
  trusted: z.boolean().meta({
    description:
      "Intact and made with this deployment's seal certificate. An intact seal that is not trusted was made by someone else (possibly under the same name): do not rely on it.",
  }),
  signer: z.string().optional(),
  signedAt: isoTime.optional(),
});

export const verifyResultSchema = z
  .object({
    valid: z
      .boolean()
      .meta({ description: 'True only when the bytes are exactly a version the archive issued.' }),
    sha256: sha256Hex,
    consentId: z.string().optional(),
    version: z.number().int().optional(),
    kind: pdfKindSchema.optional(),
    issuedAt: isoTime.optional(),
    isLatestVersion: z.boolean().optional(),
    status: consentStatusSchema.optional(),
    countersignedAt: isoTime.nullable().optional(),
    seal: sealSchema.meta({
      description: "Whether the embedded PAdES seal is present, intact, and this deployment's.",
    }),
  })
  .meta({
    id: 'VerifyResult',
    description: 'The answer of /verify: ids, status and times, never patient data.',
  });

export const openApiDocument: Media = {
  mediaType: 'application/json',
  description: 'This OpenAPI 3.1 document.',
};

export const asset: Media[] = [
  { mediaType: 'text/javascript', description: 'A page script.' },
  { mediaType: 'text/css', description: 'A style sheet.' },
  {
    mediaType: 'application/json',
    description: "`ui.json` (the pages' texts) or `treatment-<id>.json` (a template's labels).",
  },
  { mediaType: 'image/svg+xml', description: 'An icon.' },
  { mediaType: 'image/png', description: 'An image.', binary: true },
  { mediaType: 'font/woff2', description: 'A font.', binary: true },
];

export const loginRequestSchema = z
  .object({
    email: z.email().max(254),
    role: z.enum(['doctor', 'coordinator']),
    clinicId: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{1,40}$/, 'Lower-case letters, digits and dashes')
      .default('demo'),
  })
  .meta({ id: 'LocalLoginRequest', description: 'Sign in locally as a staff member.' });

export const loginResultSchema = z
  .object({
    token: z
      .string()
      .meta({ description: 'An ID token with the Cognito claims, for `Authorization: Bearer`.' }),
    expiresIn: z.number().int(),
    clinicId: z.string(),
    role: z.enum(['doctor', 'coordinator']),
    name: z.string(),
  })
  .meta({ id: 'LocalLoginResult', description: 'The local sign-in token.' });
