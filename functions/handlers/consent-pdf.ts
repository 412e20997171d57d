import { route } from '../../infra/routes';
import { runtimeDeps } from '../adapters/runtime';
import { type HttpEvent, type HttpResult, httpHandler, pdf, requestMeta } from '../http/api';
import { authenticateStaff } from '../http/auth';
import { consentIdParam } from '../http/params';
import { staffPdf } from '../workflow/consent-views';

/** GET /clinic/consents/{consentId}/pdf: the latest issued version. */
export async function getConsentPdf(event: HttpEvent): Promise<HttpResult> {
  const staff = await authenticateStaff(event);
  const file = await staffPdf(runtimeDeps(), staff, consentIdParam(event), requestMeta(event));
  return pdf(file.bytes, `consent-${file.consentId}-v${file.ref.version}.pdf`);
}

export const handler = httpHandler(getConsentPdf, route('consent-pdf'));
