import { route } from '../../infra/routes';
import { config } from '../config';
import { templateQuestionnaireQuerySchema } from '../contract/fhir';
import { FHIR_JSON } from '../documents/fhir/codes';
import { NotFoundError } from '../domain/errors';
import { type HttpEvent, type HttpResult, httpHandler, json, parseWith, pathParam } from '../http/api';
import { authenticateStaff } from '../http/auth';
import { templateFhirQuestionnaire } from '../workflow/consent-fhir';

/**
 * GET /clinic/templates/{treatmentId}/questionnaire[?version=]: a treatment template version as a FHIR R4
 * Questionnaire (the current version, or the one named; any other → 404).
 */
export async function getTemplateQuestionnaire(event: HttpEvent): Promise<HttpResult> {
  await authenticateStaff(event);
  const query = parseWith(templateQuestionnaireQuerySchema, event.queryStringParameters ?? {});
  const treatmentId = pathParam(event, 'treatmentId');
  if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(treatmentId)) throw new NotFoundError('No such treatment template.');
  const questionnaire = templateFhirQuestionnaire({ appUrl: config().APP_URL }, treatmentId, query.version);
  return json(200, questionnaire, { 'content-type': FHIR_JSON });
}

export const handler = httpHandler(getTemplateQuestionnaire, route('template-questionnaire'));
