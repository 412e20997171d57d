import { route } from '../../infra/routes';
import { runtimeDeps } from '../adapters/runtime';
import { config } from '../config';
import { type InviteRequestBody, inviteRequestSchema } from '../contract/clinic';
import { type HttpEvent, type HttpResult, httpHandler, json, jsonRequest, requestMeta } from '../http/api';
import { authenticateStaff } from '../http/auth';
import { createInvite } from '../workflow/invites';

/** POST /clinic/invites: any staff member creates a patient's intake link. */
export async function postInvite(event: HttpEvent): Promise<HttpResult> {
  const staff = await authenticateStaff(event);
  const input = jsonRequest(event, inviteRequestSchema, 'The invitation is not valid.');
  const c = config();
  const deps = { ...runtimeDeps(), appUrl: c.APP_URL, linkTtlMs: c.linkTtlMs };
  const created = await createInvite(deps, staff, input, requestMeta(event));
  return json(201, { ...created, whatsappUrl: whatsappHandOff(input, created.intakeUrl) });
}

/** A wa.me hand-off with a bilingual message; the coordinator's own WhatsApp sends it. */
function whatsappHandOff(input: InviteRequestBody, url: string): string | null {
  const digits = input.patient.phone?.replace(/[^0-9]/g, '');
  if (!digits) return null;
  const text = `Your consent form / نموذج الموافقة الخاص بك:\n${url}`;
  return `https://wa.me/${digits}?text=${encodeURIComponent(text)}`;
}

export const handler = httpHandler(postInvite, route('invites-create'));
