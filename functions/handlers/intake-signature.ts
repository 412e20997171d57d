import * as z from 'zod';
import { route } from '../../infra/routes';
import { renderPdf } from '../adapters/pdf-renderer';
import { runtimeDeps } from '../adapters/runtime';
import { localeSchema } from '../domain/template';
import {
  type HttpEvent,
  type HttpResult,
  httpHandler,
  json,
  jsonBody,
  parseWith,
  pathParam,
  requestMeta,
} from '../http/api';
import { assertCanSign, openIntake, signConsent } from '../workflow/intake';
import { signatureSchema } from '../workflow/signature';

export const signatureRequestSchema = z.object({
  signature: signatureSchema,
  acknowledgedRiskIds: z.array(z.string().max(64)).max(100),
  agreeToTreatment: z.literal(true, { error: 'You must agree to the treatment to sign' }),
  agreeToElectronicRecords: z.literal(true, {
    error: 'You must agree to electronic records and signature to sign',
  }),
  locale: localeSchema.optional(),
});
export type SignatureRequestBody = z.infer<typeof signatureRequestSchema>;

export async function postSignature(event: HttpEvent): Promise<HttpResult> {
  const body = jsonBody(event);
  const deps = { ...runtimeDeps(), renderPdf };
  const ctx = await openIntake(deps, pathParam(event, 'token'), requestMeta(event));
  assertCanSign(ctx.consent);
  const input = parseWith(signatureRequestSchema, body, 'The signature is incomplete.');
  return json(201, await signConsent(deps, ctx, input, requestMeta(event)));
}

export const handler = httpHandler(postSignature, route('intake-signature'));
