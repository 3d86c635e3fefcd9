import type { SessionUser } from '@ioc/schemas';

/**
 * The signed-in user and the one fetch helper of the staff pages: it sends the session cookie (same origin), adds
 * the session's CSRF token to every state-changing call, and sends the browser to the sign-in page when the
 * session has ended (401). The token comes from `GET /api/v1/session`, read once per page.
 */
export interface PageSession {
  user: SessionUser | null;
  csrfToken?: string;
  expiresAt?: string;
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
let current: Promise<PageSession> | undefined;

export function loadSession(refresh = false): Promise<PageSession> {
  if (refresh || !current) {
    current = fetch('/api/v1/session', { cache: 'no-store', credentials: 'same-origin', headers: { accept: 'application/json' } })
      .then((response) => (response.ok ? (response.json() as Promise<PageSession>) : { user: null }))
      .catch(() => ({ user: null }));
  }
  return current;
}

/** `/login?next=<this page>`: where a page goes when its session is gone. */
export function loginUrl(location: { pathname: string; search: string; hash: string }, denied = false): string {
  return `/login?next=${encodeURIComponent(`${location.pathname}${location.search}${location.hash}`)}${denied ? '&denied=1' : ''}`;
}

export async function apiFetch(input: string, init: RequestInit = {}): Promise<Response> {
  const method = (init.method ?? 'GET').toUpperCase();
  const headers = new Headers(init.headers);
  if (STATE_CHANGING.has(method)) {
    const session = await loadSession();
    if (session.csrfToken) headers.set('X-CSRF-Token', session.csrfToken);
  }
  const response = await fetch(input, { credentials: 'same-origin', ...init, headers });
  if (response.status === 401 && typeof window !== 'undefined' && window.location.pathname !== '/login' && !window.location.pathname.startsWith('/report')) {
    window.location.assign(loginUrl(window.location));
  }
  return response;
}

export async function signOut(): Promise<void> {
  await apiFetch('/api/v1/session', { method: 'DELETE' }).catch(() => undefined);
  current = undefined;
  window.location.assign('/login');
}
