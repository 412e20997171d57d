/**
 * The one route table. The local server (infra/local/server.ts) and the CDK stack both read it:
 * a route added here is served locally and deployed as its own Lambda, with nothing declared twice.
 * This module must stay free of aws-cdk-lib and of handler imports so both sides load it cheaply.
 */
export type RouteAuth =
  /** Authorised by the intake-link token in the path. */
  | 'link'
  /** Bearer JWT of clinic staff (Cognito in AWS, /local/login locally). */
  | 'staff'
  /** Anyone. */
  | 'public';

/**
 * What a function needs beyond the table, declared here so the CDK stack derives the bundle and the
 * grants from it (infra/stacks/stateless-stack.ts) rather than guessing from sizes or ids.
 */
export interface RouteNeeds {
  /** Renders PDFs: the fonts are copied into the bundle (templates/fonts → FONT_DIR). */
  fonts?: true;
  /** Serves the pages' scripts and styles: copied into the bundle (templates/pages/assets → ASSET_DIR). */
  pageAssets?: true;
  /**
   * `sign`: seals final PDFs — the seal settings (SEAL_*) and kms:Sign on the seal key, for this function
   * only. `verify`: checks seals against this deployment's certificate — SEAL_CERT_PEM only, no key access.
   */
  seal?: 'sign' | 'verify';
}

/** API Gateway throttling of one route: steady requests per second and the bucket's burst (429 above it). */
export interface Throttle {
  rateLimit: number;
  burstLimit: number;
}

/**
 * Stage default: applies to nothing routed today (every route below has its own bucket); it caps any route
 * added without one. Far above a clinic's traffic.
 */
export const STAGE_THROTTLE: Throttle = { rateLimit: 50, burstLimit: 100 };

/**
 * Each route has its own token bucket (HTTP API route settings, keyed "METHOD /path"), so a flood of one
 * route answers 429 on that route only and cannot drain the others: a flood of anonymous /verify calls or
 * of patient links leaves the doctors' routes untouched. The numbers per class of caller (docs/deploy.md,
 * "Throttling"): a clinic's staff are a handful of people on a dashboard (<1 rps in a busy hour), patients
 * one page at a time on a phone, the public routes a static page, its assets and an occasional PDF check.
 */
export const THROTTLE_BY_AUTH: Record<RouteAuth, Throttle> = {
  staff: { rateLimit: 20, burstLimit: 40 },
  link: { rateLimit: 10, burstLimit: 20 },
  public: { rateLimit: 10, burstLimit: 20 },
};

export interface RouteDef {
  /** Stable id: names the Lambda function and the sample event under events/. */
  id: string;
  method: 'GET' | 'POST';
  /** API Gateway HTTP API path syntax. */
  path: string;
  /** Handler module, relative to the repository root; it exports `handler`. */
  entry: string;
  auth: RouteAuth;
  /** Served by the local server only; never routed by the CDK stack. */
  localOnly?: boolean;
  /** Lambda sizing: PDF rendering needs more memory (and CPU with it) than a table lookup. */
  memoryMb: number;
  timeoutSeconds: number;
  /** Largest accepted request body (decoded bytes; functions/http/api.ts answers 413 above it). Default 64 KB. */
  maxBodyBytes?: number;
  /** Which table actions the function may use: the CDK stack derives least-privilege grants from it. */
  access: { table: 'read' | 'write' | 'none' };
  /** Files in the bundle and the seal key, when the function needs them. */
  needs?: RouteNeeds;
  /** The business metric (CloudWatch EMF, functions/http/metrics.ts) a 2xx response of this route counts. */
  metric?: BusinessMetric;
  /** This route's own API Gateway throttle, when its class's (THROTTLE_BY_AUTH) does not fit. */
  throttle?: Throttle;
}

/** The throttle API Gateway applies to a route: its own, else its class's. */
export function throttleOf(route: RouteDef): Throttle {
  return route.throttle ?? THROTTLE_BY_AUTH[route.auth];
}

/** The business events counted as metrics; e-mail metrics come from the mailer and the sweeper. */
export type BusinessMetric =
  | 'ConsentInvited'
  | 'ConsentAnswered'
  | 'ConsentSigned'
  | 'ConsentCountersigned'
  | 'ConsentDeclined';

const API = { memoryMb: 512, timeoutSeconds: 10 } as const;
const PDF = { memoryMb: 1024, timeoutSeconds: 20 } as const;

const table = [
  {
    id: 'intake-page',
    method: 'GET',
    path: '/intake/{token}',
    entry: 'functions/handlers/intake-page.ts',
    auth: 'link',
    ...API,
    access: { table: 'write' },
  },
  {
    id: 'intake-answers',
    method: 'POST',
    path: '/intake/{token}/answers',
    entry: 'functions/handlers/intake-answers.ts',
    auth: 'link',
    ...API,
    access: { table: 'write' },
    metric: 'ConsentAnswered',
  },
  {
    id: 'intake-signature',
    method: 'POST',
    path: '/intake/{token}/signature',
    entry: 'functions/handlers/intake-signature.ts',
    auth: 'link',
    ...PDF,
    /** Drawn signatures are PNGs of up to 200 KB, base64 in JSON. */
    maxBodyBytes: 320 * 1024,
    access: { table: 'write' },
    metric: 'ConsentSigned',
    needs: { fonts: true },
    /** A PDF render per call (1 GB function): a patient signs once; retries fit easily. */
    throttle: { rateLimit: 5, burstLimit: 10 },
  },
  {
    id: 'intake-pdf',
    method: 'GET',
    path: '/intake/{token}/consent.pdf',
    entry: 'functions/handlers/intake-pdf.ts',
    auth: 'link',
    ...API,
    access: { table: 'write' },
  },
  {
    id: 'invites-create',
    method: 'POST',
    path: '/clinic/invites',
    entry: 'functions/handlers/invites-create.ts',
    auth: 'staff',
    ...API,
    access: { table: 'write' },
    metric: 'ConsentInvited',
  },
  {
    id: 'invites-list',
    method: 'GET',
    path: '/clinic/invites',
    entry: 'functions/handlers/invites-list.ts',
    auth: 'staff',
    ...API,
    access: { table: 'read' },
  },
  {
    id: 'branches-list',
    method: 'GET',
    path: '/clinic/branches',
    entry: 'functions/handlers/branches-list.ts',
    auth: 'staff',
    ...API,
    access: { table: 'read' },
  },
  {
    id: 'consents-list',
    method: 'GET',
    path: '/clinic/consents',
    entry: 'functions/handlers/consents-list.ts',
    auth: 'staff',
    ...API,
    access: { table: 'read' },
  },
  {
    id: 'consent-get',
    method: 'GET',
    path: '/clinic/consents/{consentId}',
    entry: 'functions/handlers/consent-get.ts',
    auth: 'staff',
    ...API,
    access: { table: 'read' },
  },
  {
    id: 'consent-pdf',
    method: 'GET',
    path: '/clinic/consents/{consentId}/pdf',
    entry: 'functions/handlers/consent-pdf.ts',
    auth: 'staff',
    ...API,
    access: { table: 'write' },
  },
  {
    id: 'consent-fhir',
    method: 'GET',
    path: '/clinic/consents/{consentId}/fhir',
    entry: 'functions/handlers/consent-fhir.ts',
    auth: 'staff',
    ...API,
    access: { table: 'read' },
  },
  {
    id: 'template-questionnaire',
    method: 'GET',
    path: '/clinic/templates/{treatmentId}/questionnaire',
    entry: 'functions/handlers/template-questionnaire.ts',
    auth: 'staff',
    ...API,
    /** The shipped templates travel inside the bundle: no table access. */
    access: { table: 'none' },
  },
  {
    id: 'consent-countersign',
    method: 'POST',
    path: '/clinic/consents/{consentId}/countersign',
    entry: 'functions/handlers/consent-countersign.ts',
    auth: 'staff',
    ...PDF,
    /** The doctor's drawn signature, as for the patient's. */
    maxBodyBytes: 320 * 1024,
    access: { table: 'write' },
    metric: 'ConsentCountersigned',
    needs: { fonts: true, seal: 'sign' },
  },
  {
    id: 'consent-decline',
    method: 'POST',
    path: '/clinic/consents/{consentId}/decline',
    entry: 'functions/handlers/consent-decline.ts',
    auth: 'staff',
    ...API,
    access: { table: 'write' },
    metric: 'ConsentDeclined',
  },
  {
    id: 'revoke-link',
    method: 'POST',
    path: '/clinic/consents/{consentId}/revoke-link',
    entry: 'functions/handlers/revoke-link.ts',
    auth: 'staff',
    ...API,
    /** No body expected. */
    maxBodyBytes: 1024,
    access: { table: 'write' },
  },
  {
    id: 'verify',
    method: 'POST',
    path: '/verify',
    entry: 'functions/handlers/verify.ts',
    auth: 'public',
    ...API,
    /** The PDF itself is the body. */
    maxBodyBytes: 4 * 1024 * 1024,
    access: { table: 'write' },
    /** Anonymous, with bodies of up to 4 MB: the tightest bucket. A person checks a PDF now and then. */
    throttle: { rateLimit: 5, burstLimit: 10 },
    /** `seal.trusted` compares the seal's certificate with this deployment's. */
    needs: { seal: 'verify' },
  },
  {
    id: 'clinic-page',
    method: 'GET',
    path: '/clinic',
    entry: 'functions/handlers/clinic-page.ts',
    auth: 'public',
    ...API,
    access: { table: 'none' },
  },
  {
    id: 'assets',
    method: 'GET',
    path: '/assets/{file}',
    entry: 'functions/handlers/assets.ts',
    auth: 'public',
    memoryMb: 256,
    timeoutSeconds: 5,
    access: { table: 'none' },
    needs: { pageAssets: true },
  },
  {
    id: 'openapi',
    method: 'GET',
    path: '/openapi.json',
    entry: 'functions/handlers/openapi.ts',
    auth: 'public',
    memoryMb: 256,
    timeoutSeconds: 5,
    access: { table: 'none' },
  },
  {
    id: 'local-login',
    method: 'POST',
    path: '/local/login',
    entry: 'functions/handlers/local-login.ts',
    auth: 'public',
    localOnly: true,
    ...API,
    access: { table: 'write' },
  },
] as const satisfies readonly RouteDef[];

/** The id of a route of the table (a literal union: a typo is a type error). */
export type RouteId = (typeof table)[number]['id'];

export const routes: readonly RouteDef[] = table;

/** A route of the table by its id; handlers take their settings from it (`httpHandler(fn, route('verify'))`). */
export function route(id: RouteId): RouteDef {
  const found = routes.find((r) => r.id === id);
  if (!found) throw new Error(`No route ${id} in infra/routes.ts`);
  return found;
}

/** Handlers that are not HTTP routes: the table-stream mailer and the scheduled outbox sweeper. */
export interface WorkerDef {
  id: string;
  entry: string;
  memoryMb: number;
  timeoutSeconds: number;
}

/**
 * The workers' timeouts sit between one worst-case send with its margin (41 + 5 s) and the mail lease
 * (60 s): see
 * functions/workflow/mail-timing.ts; test/unit/mail-timing.test.ts checks the inequality.
 */
export const workers = {
  mailer: { id: 'mailer', entry: 'functions/handlers/mailer.ts', memoryMb: 512, timeoutSeconds: 55 },
  mailSweeper: {
    id: 'mail-sweeper',
    entry: 'functions/handlers/mail-sweeper.ts',
    memoryMb: 512,
    timeoutSeconds: 58,
  },
} as const satisfies Record<string, WorkerDef>;

/** Matches a concrete path against a route path template; returns the path parameters or null. */
export function matchPath(template: string, path: string): Record<string, string> | null {
  const t = template.split('/');
  const p = path.split('/');
  if (t.length !== p.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i++) {
    const seg = t[i] as string;
    const actual = p[i] as string;
    if (seg.startsWith('{') && seg.endsWith('}')) {
      if (actual === '') return null;
      try {
        params[seg.slice(1, -1)] = decodeURIComponent(actual);
      } catch {
        return null;
      }
    } else if (seg !== actual) return null;
  }
  return params;
}
