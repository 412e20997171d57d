import { route } from '../../infra/routes';
import { runtimeDeps } from '../adapters/runtime';
import { type HttpEvent, type HttpResult, httpHandler, pdf, requestMeta } from '../http/api';
import { tokenParam } from '../http/params';
import { openIntake, patientPdf } from '../workflow/intake';

/** GET /intake/{token}/consent.pdf: the patient's current copy, once signed. */
export async function getPatientPdf(event: HttpEvent): Promise<HttpResult> {
  const deps = runtimeDeps();
  const ctx = await openIntake(deps, tokenParam(event), requestMeta(event));
  const file = await patientPdf(deps, ctx, requestMeta(event));
  return pdf(file.bytes, `consent-${file.consentId}.pdf`);
}

export const handler = httpHandler(getPatientPdf, route('intake-pdf'));
