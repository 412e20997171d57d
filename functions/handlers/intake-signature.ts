import { clock, consentStore } from '../adapters/runtime';
import { signatureRequestSchema } from '../contract/intake';
import type { ConsentDocument } from '../documents/consent-document';
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

/**
 * The PDF renderer (pdf-lib, fontkit and their tables) is evaluated on the first signature a container
 * renders, not at cold start: every request this function refuses (unknown or expired link, already
 * signed, invalid body) never needs it, and the init stays near the other API handlers' (docs/bench.md).
 */
async function renderConsentPdf(doc: ConsentDocument): Promise<Uint8Array> {
  const { renderConsentPdf: render } = await import('../documents/pdf/render-consent');
  return render(doc);
}

export async function postSignature(event: HttpEvent): Promise<HttpResult> {
  const body = jsonBody(event);
  const deps = { store: consentStore(), clock, renderPdf: renderConsentPdf };
  const ctx = await openIntake(deps, pathParam(event, 'token'), requestMeta(event));
  assertCanSign(ctx.consent);
  const input = parseWith(signatureRequestSchema, body, 'The signature is incomplete.');
  return json(201, await signConsent(deps, ctx, input, requestMeta(event)));
}

/** Drawn signatures are PNGs of up to 200 KB, base64 in JSON. */
export const handler = httpHandler(postSignature, { route: 'intake-signature', maxBodyBytes: 320 * 1024 });
