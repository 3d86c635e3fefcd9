import { apiFetch } from '../session';
import { ApiError, networkProblem, problemFromBody } from './api-errors';

/**
 * The one place the field-report pages touch the network: through the staff pages' apiFetch (session cookie,
 * the CSRF token on state-changing calls, back to the sign-in page when the session has ended).
 */
export async function callApi<T>(url: string, init: RequestInit = {}): Promise<T> {
  let response: Response;
  try {
    response = await apiFetch(url, { cache: 'no-store', credentials: 'same-origin', ...init, headers: { accept: 'application/json', ...(init.headers ?? {}) } });
  } catch (error) {
    throw new ApiError(networkProblem(error instanceof Error ? error.message : String(error)));
  }
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    // Not JSON (a proxy's HTML page): keep the text for the detail line.
  }
  if (!response.ok) throw new ApiError(problemFromBody(response.status, body, response.headers.get('x-ioc-error-code')));
  return body as T;
}

export function postJson<T>(url: string, body: unknown): Promise<T> {
  return callApi<T>(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/** The browser sets the multipart boundary itself: no content-type header here. */
export function postForm<T>(url: string, form: FormData): Promise<T> {
  return callApi<T>(url, { method: 'POST', body: form });
}
