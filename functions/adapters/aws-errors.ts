/**
 * Which failures of an AWS call mean "the dependency is down, unreachable, slow or throttling — try again
 * in a moment" (503 `service_unavailable`), for DynamoDB, SES and KMS alike. No SDK import: errors are
 * judged by their shape (name, Node's `code`, the SDK's `$metadata` and `$retryable`).
 */
const UNAVAILABLE_NAMES = new Set([
  // throttling (DynamoDB, SES, KMS)
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'LimitExceededException',
  // the service itself
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'KMSInternalException',
  'DependencyTimeoutException',
  'KeyUnavailableException',
  // the SDK's client-side timeouts (connection, request, socket inactivity)
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
]);

/** Node's network failures: refused, reset, broken pipe, timed out, unreachable, DNS try-again. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

interface AwsLikeError {
  name?: string;
  code?: string;
  cause?: unknown;
  $metadata?: { httpStatusCode?: number };
  $retryable?: { throttling?: boolean };
}

export function isUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 3) return false;
  const e = err as AwsLikeError;
  if (e.name && UNAVAILABLE_NAMES.has(e.name)) return true;
  if (e.code && NETWORK_CODES.has(e.code)) return true;
  if (e.$retryable?.throttling) return true;
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && (status >= 500 || status === 429)) return true;
  return isUnavailable(e.cause, depth + 1);
}
