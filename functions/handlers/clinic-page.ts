import { type HttpResult, html, httpHandler } from '../http/api';
import { clinicPage } from '../../templates/pages/render';

/** GET /clinic: the dashboard shell; its script signs in and calls the /clinic/* API. */
export async function getClinicPage(): Promise<HttpResult> {
  return html(200, clinicPage());
}

export const handler = httpHandler(getClinicPage, { route: 'clinic-page' });
