/**
 * Typed errors of the workflow. One middleware (httpBoundary in functions/http/api.ts) maps them to the
 * API.md error shape; anything else becomes a 500 that reveals nothing.
 */
export interface ValidationIssue {
  path: string;
  message: string;
}

export class DomainError extends Error {
  /** Seconds a client should wait before trying again (429, 503): sent as `Retry-After`. */
  retryAfterSeconds?: number;

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues?: ValidationIssue[],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationFailedError extends DomainError {
  constructor(message: string, issues: ValidationIssue[]) {
    super(400, 'validation_failed', message, issues);
  }
}
export class UnauthorizedError extends DomainError {
  constructor(message = 'A valid staff sign-in is required.') {
    super(401, 'unauthorized', message);
  }
}
export class ForbiddenError extends DomainError {
  constructor(message = 'You are not allowed to do this.') {
    super(403, 'forbidden', message);
  }
}
export class NotFoundError extends DomainError {
  constructor(message = 'Not found.') {
    super(404, 'not_found', message);
  }
}
export class ConflictError extends DomainError {
  constructor(message: string) {
    super(409, 'conflict', message);
  }
}
export class LinkExpiredError extends DomainError {
  constructor(
    message = 'This intake link has expired or was withdrawn. Please ask the clinic for a new one.',
  ) {
    super(410, 'link_expired', message);
  }
}
export class PayloadTooLargeError extends DomainError {
  constructor(message = 'The request body is too large.') {
    super(413, 'payload_too_large', message);
  }
}
/** A body whose bytes cannot be trusted as sent (e.g. a PDF posted as text, decoded on the way). */
export class UnsupportedMediaTypeError extends DomainError {
  constructor(message: string) {
    super(415, 'unsupported_media_type', message);
  }
}
export class ReviewIncompleteError extends DomainError {
  constructor(message: string, issues: ValidationIssue[]) {
    super(422, 'review_incomplete', message, issues);
  }
}
/** A rate limit: `retryAfterSeconds` is the real wait, until the counting window ends. */
export class ThrottledError extends DomainError {
  constructor(retryAfterSeconds = 60, message = 'Too many requests. Please wait and try again.') {
    super(429, 'throttled', message);
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}
/**
 * A dependency (DynamoDB, SES, KMS) is down, unreachable, timing out or throttling: nothing was done, and
 * the same request can simply be sent again in a moment (API.md version 2: 503 `service_unavailable`).
 */
export class UnavailableError extends DomainError {
  constructor(message = 'The service is busy or briefly unavailable. Please try again in a moment.') {
    super(503, 'service_unavailable', message);
    this.retryAfterSeconds = 5;
  }
}
