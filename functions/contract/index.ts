import * as clinic from './clinic';
import { htmlPage, type Operation, pdfFile } from './common';
import { errors } from './errors';
import * as fhir from './fhir';
import * as intake from './intake';
import * as pub from './public';

/**
 * What every route of infra/routes.ts accepts and answers, keyed by route id. Side-effect free (no
 * config, no clients): the OpenAPI builder and the tests import it, handlers take their request schemas
 * from the area modules. test/unit/openapi.test.ts fails when a route has no entry here.
 */
export const contract: Record<string, Operation> = {
  'intake-page': {
    summary: "The patient's intake page, or with `Accept: application/json` the invite and the form",
    description:
      'Opening the JSON records a `link_opened` audit event. Errors of the HTML page are HTML pages.',
    tags: ['patient'],
    responses: { 200: [htmlPage, intake.intakeViewSchema], ...errors(404, 410, 429, 500, 503) },
  },
  'intake-answers': {
    summary: 'Submit (or resubmit until signed) the questionnaire answers',
    tags: ['patient'],
    request: intake.answersRequestSchema,
    responses: { 200: intake.answersResultSchema, ...errors(400, 404, 409, 410, 413, 429, 500, 503) },
  },
  'intake-signature': {
    summary: 'Sign the consent',
    description:
      '409 when ineligible, not yet answered or already signed; 400 when a listed risk is not acknowledged.',
    tags: ['patient'],
    request: intake.signatureRequestSchema,
    responses: { 201: intake.signatureResultSchema, ...errors(400, 404, 409, 410, 413, 429, 500, 503) },
  },
  'intake-pdf': {
    summary: "The patient's current copy of the signed consent",
    tags: ['patient'],
    responses: { 200: pdfFile, ...errors(404, 409, 410, 429, 500, 503) },
  },
  'invites-create': {
    summary: "Create a patient's intake link (optionally e-mailed)",
    tags: ['clinic'],
    request: clinic.inviteRequestSchema,
    responses: { 201: clinic.inviteCreatedSchema, ...errors(400, 401, 403, 413, 500, 503) },
  },
  'invites-list': {
    summary:
      'The links still open: not signed, not revoked, not expired, not closed as ineligible; oldest expiry first',
    tags: ['clinic'],
    responses: { 200: clinic.openInviteListSchema, ...errors(401, 403, 500, 503) },
  },
  'branches-list': {
    summary: "The caller's clinic's branches (for the invite form, filters and names)",
    tags: ['clinic'],
    responses: { 200: clinic.branchListSchema, ...errors(401, 403, 500, 503) },
  },
  'consents-list': {
    summary: "The caller's clinic's consents, newest first",
    tags: ['clinic'],
    query: clinic.listQuerySchema,
    responses: { 200: clinic.consentListSchema, ...errors(400, 401, 403, 500, 503) },
  },
  'consent-get': {
    summary: 'One consent in full',
    tags: ['clinic'],
    responses: { 200: clinic.consentDetailSchema, ...errors(401, 403, 404, 500, 503) },
  },
  'consent-pdf': {
    summary: 'The latest PDF version of a consent',
    tags: ['clinic'],
    responses: { 200: pdfFile, ...errors(401, 403, 404, 409, 500, 503) },
  },
  'consent-fhir': {
    summary: 'The consent as FHIR R4 (a Bundle), `application/fhir+json`',
    description:
      'Consent `status` is `proposed` until countersigned, `active` after, `rejected` when declined. Read-only.',
    tags: ['clinic'],
    responses: { 200: fhir.fhirBundleBody, ...errors(401, 403, 404, 500, 503) },
  },
  'template-questionnaire': {
    summary: 'A treatment template version as a FHIR R4 Questionnaire, `application/fhir+json`',
    tags: ['clinic'],
    query: fhir.templateQuestionnaireQuerySchema,
    responses: { 200: fhir.fhirQuestionnaireBody, ...errors(400, 401, 403, 404, 500) },
  },
  'consent-countersign': {
    summary: 'Countersign a signed consent (doctor only)',
    description: 'Every `review` finding needs a note (else 422); ineligible or already countersigned → 409.',
    tags: ['clinic'],
    request: clinic.countersignRequestSchema,
    responses: {
      200: clinic.countersignResultSchema,
      ...errors(400, 401, 403, 404, 409, 413, 422, 500, 503),
    },
  },
  'consent-decline': {
    summary: 'Decline to countersign (doctor only)',
    tags: ['clinic'],
    request: clinic.declineRequestSchema,
    responses: { 200: clinic.declineResultSchema, ...errors(400, 401, 403, 404, 409, 413, 500, 503) },
  },
  'revoke-link': {
    summary: "Withdraw the patient's intake link before they sign",
    tags: ['clinic'],
    responses: { 200: clinic.revokeResultSchema, ...errors(401, 403, 404, 409, 413, 500, 503) },
  },
  verify: {
    summary: 'Check whether a PDF is exactly a version the archive issued',
    tags: ['public'],
    request: pub.pdfBody,
    responses: { 200: pub.verifyResultSchema, ...errors(400, 413, 415, 429, 500, 503) },
  },
  'clinic-page': {
    summary: 'The clinic dashboard (HTML shell; its script signs in and calls the /clinic API)',
    tags: ['public'],
    responses: { 200: htmlPage, ...errors(500) },
  },
  assets: {
    summary: "The pages' scripts, styles, images and fonts",
    tags: ['public'],
    responses: { 200: pub.asset, ...errors(404, 500) },
  },
  openapi: {
    summary: 'This OpenAPI document',
    tags: ['public'],
    responses: { 200: pub.openApiDocument, ...errors(500) },
  },
  'local-login': {
    summary: 'Local stand-in for Cognito: a staff ID token (local stack only, never deployed)',
    tags: ['local'],
    request: pub.loginRequestSchema,
    responses: { 200: pub.loginResultSchema, ...errors(400, 413, 500, 503) },
  },
};
