import { route } from '../../infra/routes';
import { runtimeDeps } from '../adapters/runtime';
import { config } from '../config';
import { FHIR_JSON } from '../documents/fhir/codes';
import { type HttpEvent, type HttpResult, httpHandler, json } from '../http/api';
import { authenticateStaff } from '../http/auth';
import { consentIdParam } from '../http/params';
import { consentFhir } from '../workflow/consent-fhir';

/** GET /clinic/consents/{consentId}/fhir: the consent as a FHIR R4 Bundle (collection). */
export async function getConsentFhir(event: HttpEvent): Promise<HttpResult> {
  const staff = await authenticateStaff(event);
  const bundle = await consentFhir(
    { ...runtimeDeps(), appUrl: config().APP_URL },
    staff,
    consentIdParam(event),
  );
  return json(200, bundle, { 'content-type': FHIR_JSON });
}

export const handler = httpHandler(getConsentFhir, route('consent-fhir'));
