import { route } from '../../infra/routes';
import { runtimeDeps } from '../adapters/runtime';
import { type HttpEvent, type HttpResult, httpHandler, pathParam, pdf, requestMeta } from '../http/api';
import { openIntake, patientPdf } from '../workflow/intake';

/** GET /intake/{token}/consent.pdf: the patient's current copy, once signed. */
export async function getPatientPdf(event: HttpEvent): Promise<HttpResult> {
  const deps = runtimeDeps();
  const ctx = await openIntake(deps, pathParam(event, 'token'), requestMeta(event));
  const file = await patientPdf(deps, ctx, requestMeta(event));
  return pdf(file.bytes, `consent-${file.consentId}.pdf`);
}

export const handler = httpHandler(getPatientPdf, route('intake-pdf'));
