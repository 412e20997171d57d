import { route } from '../../infra/routes';
import { renderPdf } from '../adapters/pdf-renderer';
import { runtimeDeps } from '../adapters/runtime';
import { signatureRequestSchema } from '../contract/intake';
import { type HttpEvent, type HttpResult, httpHandler, json, readJson, requestMeta } from '../http/api';
import { tokenParam } from '../http/params';
import { assertCanSign, openIntake, signConsent } from '../workflow/intake';

export async function postSignature(event: HttpEvent): Promise<HttpResult> {
  const parse = readJson(event);
  const deps = { ...runtimeDeps(), renderPdf };
  const ctx = await openIntake(deps, tokenParam(event), requestMeta(event));
  assertCanSign(ctx.consent);
  const input = parse(signatureRequestSchema, 'The signature is incomplete.');
  return json(201, await signConsent(deps, ctx, input, requestMeta(event)));
}

export const handler = httpHandler(postSignature, route('intake-signature'));
