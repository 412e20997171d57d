/** The JSON API client the two pages share: fetch() with the API.md error shape. */

/** @typedef {{error?: string, message?: string, issues?: {path: string, message: string}[]}} ApiErrorBody */

/**
 * An API error in the API.md shape, with the HTTP status.
 */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {ApiErrorBody} body
   */
  constructor(status, body) {
    super(body.message || `HTTP ${status}`);
    this.status = status;
    this.code = body.error || 'error';
    this.issues = Array.isArray(body.issues) ? body.issues : [];
  }
}

/**
 * fetch() for the JSON API: throws ApiError for non-2xx answers (status 0 = network failure). The answer
 * is the parsed JSON, unchecked: callers state the shape they expect (api-types.d.ts).
 * @param {string} url
 * @param {{method?: string, body?: unknown, raw?: BodyInit, contentType?: string, token?: string}} [opts]
 * @returns {Promise<unknown>}
 */
export async function api(url, opts = {}) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  /** @type {BodyInit | undefined} */
  let body;
  if (opts.raw !== undefined) {
    body = opts.raw;
    headers['content-type'] = opts.contentType || 'application/octet-stream';
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  let res;
  try {
    res = await fetch(url, {
      method: opts.method || (body ? 'POST' : 'GET'),
      headers,
      body,
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, { error: 'network', message: 'The server could not be reached.' });
  }
  const text = await res.text();
  /** @type {unknown} */
  let data = {};
  try {
    data = text ? JSON.parse(text) : {};
  } catch {
    data = { error: 'bad_response', message: `HTTP ${res.status}` };
  }
  if (!res.ok) throw new ApiError(res.status, /** @type {ApiErrorBody} */ (data));
  return data;
}
