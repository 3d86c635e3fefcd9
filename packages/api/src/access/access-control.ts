import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { rateLimit } from 'express-rate-limit';
import type { Socket } from 'socket.io';
import { iocError, type IocError, type SessionUser } from '@ioc/schemas';
import type { ApiKeyScope, Open311ApiKey, ResolvedSession, SessionRepository } from '@ioc/store';
import { NAMESPACE_RULES, PAGE_RULES, UNRULED_ACCESS, apiKeyScopesAllowed, ruleFor, type Access } from './permissions';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The signed-in user (session cookie), when there is one. Read it through `userOf(request)`. */
      user?: SessionUser;
      /** The session behind `user` (its hash, CSRF token, expiry). */
      authSession?: ResolvedSession;
      /** The app or machine key that authenticated the request (machine routes). */
      apiKey?: Open311ApiKey;
    }
  }
}

export const SESSION_COOKIE = 'ioc_session';
export const CSRF_HEADER = 'x-csrf-token';
export const API_KEY_HEADER = 'x-api-key';
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The signed-in user of a request (undefined for public routes without a session and for API-key clients). */
export function userOf(request: Request): SessionUser | undefined {
  return request.user;
}

/** The signed-in user of a socket (set at the handshake). */
export function socketUserOf(socket: Socket): SessionUser | undefined {
  return (socket.data as { user?: SessionUser }).user;
}

export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const part of header.split(';')) {
    const index = part.indexOf('=');
    if (index <= 0) continue;
    const name = part.slice(0, index).trim();
    let value = part.slice(index + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      // A malformed escape: keep the raw text; it will simply not match any session.
    }
    if (!cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

export function clientAddressOf(request: Request): string | null {
  return request.ip ?? request.socket.remoteAddress ?? null;
}

/**
 * True when a browser says the request comes from this origin: `Origin` equals the server's own origin, or,
 * without `Origin`, `Sec-Fetch-Site` is same-origin. Neither header (curl, a script): not a browser, allowed —
 * such a client still needs the CSRF token, which only a same-origin page can read.
 */
export function sameOrigin(headers: Record<string, string | string[] | undefined>, ownOrigins: readonly string[]): boolean {
  const origin = headers.origin;
  if (typeof origin === 'string' && origin !== '') return ownOrigins.includes(origin);
  const site = headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== '') return site === 'same-origin' || site === 'none';
  return true;
}

function ownOriginsOf(request: { protocol: string; headers: Record<string, string | string[] | undefined> }): string[] {
  const host = request.headers.host;
  if (typeof host !== 'string') return [];
  return [`${request.protocol}://${host}`];
}

export interface AccessControlOptions {
  sessions: Pick<SessionRepository, 'resolve'>;
  apiKeys: { verify(key: string, scope: ApiKeyScope): Promise<Open311ApiKey | undefined> };
  logger: Logger;
  /** The built pages (dashboards/wall/dist): which `/NAME` paths are pages. */
  wallDirectory?: string | undefined;
  /** Requests to public API routes per client address per minute; absent: no limit. */
  publicRequestsPerMinute?: number | undefined;
}

export type PageDecision = { kind: 'page'; page: string } | { kind: 'asset' };

/**
 * Enforces the permission table (permissions.ts) on every request and socket.io handshake: reads the session
 * cookie, attaches `request.user` / `socket.data.user`, answers 401 (no session) or 403 (role not allowed,
 * missing CSRF token), redirects pages to `/login?next=…`.
 */
export class AccessControl {
  readonly #options: AccessControlOptions;
  readonly #log: Logger;
  readonly #pages: Set<string>;
  readonly #warned = new Set<string>();
  readonly #publicLimiter: RequestHandler | undefined;

  constructor(options: AccessControlOptions) {
    this.#options = options;
    this.#log = options.logger.child({ module: 'access' });
    this.#pages = new Set(Object.keys(PAGE_RULES));
    if (options.publicRequestsPerMinute !== undefined) {
      this.#publicLimiter = rateLimit({
        windowMs: 60_000,
        limit: options.publicRequestsPerMinute,
        standardHeaders: 'draft-7',
        legacyHeaders: false,
        handler: (_request, response, next) => {
          response.setHeader('Retry-After', '60');
          next(iocError('IOC_ERR_RATE_LIMITED', `More than ${options.publicRequestsPerMinute} requests a minute to public routes from this address; retry in a minute.`));
        },
      });
    }
    if (options.wallDirectory) {
      try {
        for (const name of readdirSync(options.wallDirectory)) if (name.endsWith('.html')) this.#pages.add(name.slice(0, -'.html'.length));
      } catch {
        // The wall is not built: only the pages of the table are known.
      }
    }
  }

  async sessionOf(cookieHeader: string | undefined): Promise<ResolvedSession | undefined> {
    const token = parseCookies(cookieHeader).get(SESSION_COOKIE);
    if (!token) return undefined;
    return this.#options.sessions.resolve(token);
  }

  /** Which page a GET path opens (`/` and unknown client routes: the wall), or an asset (public: code and styles only). */
  pageOf(requestPath: string): PageDecision {
    let decoded = requestPath;
    try {
      decoded = decodeURIComponent(requestPath);
    } catch {
      // Left as is: express.static will refuse it.
    }
    // Normalised like the static server does, so `/assets/../leader.html` is the leader page, not an asset.
    const normal = path.posix.normalize(decoded);
    if (normal === '/' || normal === '/index.html') return { kind: 'page', page: 'index' };
    const first = /^\/([a-z][a-z0-9-]*)(?:\.html)?(?:\/|$)/.exec(normal)?.[1];
    if (first && this.#pages.has(first)) return { kind: 'page', page: first };
    if (/\.html?$/i.test(normal)) return { kind: 'page', page: 'index' };
    if (/\/[^/]+\.[a-z0-9]+$/i.test(normal)) return { kind: 'asset' };
    return { kind: 'page', page: 'index' };
  }

  /** Express middleware for everything: API routes by the route table, pages by the page table. */
  middleware(): RequestHandler {
    return (request, response, next) => {
      this.#check(request, response).then(
        (verdict) => {
          if (verdict === true) {
            if (response.locals.publicRoute === true && this.#publicLimiter) this.#publicLimiter(request, response, next);
            else next();
          } else if (verdict !== 'answered') next(verdict);
        },
        (err: unknown) => next(err),
      );
    };
  }

  async #check(request: Request, response: Response): Promise<true | 'answered' | IocError> {
    const requestPath = request.path;
    const isApi = requestPath.startsWith('/api/') || requestPath === '/api' || requestPath.startsWith('/open311/');
    const rule = ruleFor(request.method, requestPath);
    // Outside /api, a GET is a page unless the table names it (probes and metrics: /livez, /readyz, /metrics).
    if (!isApi && !rule && (request.method === 'GET' || request.method === 'HEAD')) return this.#checkPage(request, response);

    let access: readonly Access[];
    if (rule) {
      access = rule.access;
    } else {
      access = UNRULED_ACCESS;
      const key = `${request.method} ${requestPath}`;
      if (!this.#warned.has(key) && this.#warned.size < 1000) {
        this.#warned.add(key);
        this.#log.warn({ method: request.method, path: requestPath }, 'no access rule for this route: admins only (add one in packages/api/src/access/permissions.ts)');
      }
    }

    // The session is read whenever a cookie comes, public routes included (`GET /api/v1/session` reports it).
    const session = await this.sessionOf(request.headers.cookie);
    if (session) {
      request.user = session.user;
      request.authSession = session;
    }
    if (access.includes('public')) {
      // Public routes answer anyone: each client address gets a budget per minute (pages and assets are not counted).
      response.locals.publicRoute = true;
      return true;
    }

    const scopes = apiKeyScopesAllowed(access);
    if (scopes.length > 0) {
      // X-Api-Key, or `Authorization: Bearer` for clients that only set that (Prometheus).
      const bearer = /^Bearer\s+(\S+)$/i.exec(request.get('authorization') ?? '')?.[1];
      const key = request.get(API_KEY_HEADER) ?? bearer;
      if (key) {
        for (const scope of scopes) {
          const app = await this.#options.apiKeys.verify(key, scope as ApiKeyScope);
          if (app) {
            request.apiKey = app;
            return true;
          }
        }
        return iocError('IOC_ERR_INVALID_API_KEY', `The API key is unknown, revoked, or lacks the scope ${scopes.join(' or ')}`);
      }
    }
    if (!session) {
      return scopes.length > 0 && !access.some((entry) => !entry.startsWith('apiKey:'))
        ? iocError('IOC_ERR_UNAUTHENTICATED', `This route takes an API key with the scope ${scopes.join(' or ')} in the X-Api-Key header`)
        : iocError('IOC_ERR_UNAUTHENTICATED', 'Sign in first (POST /api/v1/session)');
    }
    if (!access.includes(session.user.role)) {
      return iocError('IOC_ERR_FORBIDDEN', `The role ${session.user.role} may not ${request.method} ${requestPath}`);
    }
    if (STATE_CHANGING.has(request.method)) {
      if (!sameOrigin(request.headers, ownOriginsOf(request))) return iocError('IOC_ERR_CSRF', 'A state-changing request from another origin');
      const token = request.get(CSRF_HEADER);
      if (!token || !constantTimeEqual(token, session.csrfToken)) return iocError('IOC_ERR_CSRF', 'A state-changing request needs the X-CSRF-Token header of the session (GET /api/v1/session)');
    }
    return true;
  }

  async #checkPage(request: Request, response: Response): Promise<true | 'answered'> {
    const decision = this.pageOf(request.path);
    if (decision.kind === 'asset') return true;
    const access = PAGE_RULES[decision.page] ?? UNRULED_ACCESS;
    const session = await this.sessionOf(request.headers.cookie);
    if (session) {
      request.user = session.user;
      request.authSession = session;
    }
    if (access.includes('public')) return true;
    if (session && access.includes(session.user.role)) return true;
    const next = encodeURIComponent(request.originalUrl);
    response.setHeader('Cache-Control', 'no-store');
    response.redirect(302, `/login?next=${next}${session ? '&denied=1' : ''}`);
    return 'answered';
  }

  /** socket.io middleware for one namespace: the session cookie of the handshake and the namespace's rule. */
  socketMiddleware(namespace: string): (socket: Socket, next: (err?: Error) => void) => void {
    return (socket, next) => {
      const refuse = (code: 'IOC_ERR_UNAUTHENTICATED' | 'IOC_ERR_FORBIDDEN' | 'IOC_ERR_CSRF', message: string) => {
        const error = new Error(message) as Error & { data?: unknown };
        error.data = { code };
        next(error);
      };
      const access = NAMESPACE_RULES[namespace] ?? UNRULED_ACCESS;
      const headers = socket.request.headers;
      const secure = Boolean((socket.request.socket as { encrypted?: boolean }).encrypted) || headers['x-forwarded-proto'] === 'https';
      const ownOrigins = typeof headers.host === 'string' ? [`${secure ? 'https' : 'http'}://${headers.host}`] : [];
      // A cross-site page must not open a socket with the user's cookie (cross-site WebSocket hijacking).
      if (!sameOrigin(headers, ownOrigins)) {
        refuse('IOC_ERR_CSRF', 'socket.io connection from another origin');
        return;
      }
      this.sessionOf(headers.cookie).then(
        (session) => {
          if (session) (socket.data as { user?: SessionUser; sessionSha256?: string }).user = session.user;
          if (session) (socket.data as { sessionSha256?: string }).sessionSha256 = session.tokenSha256;
          if (access.includes('public')) return next();
          if (!session) return refuse('IOC_ERR_UNAUTHENTICATED', 'Sign in first (POST /api/v1/session)');
          if (!access.includes(session.user.role)) return refuse('IOC_ERR_FORBIDDEN', `The role ${session.user.role} may not connect to ${namespace}`);
          return next();
        },
        (err: unknown) => next(err instanceof Error ? err : new Error(String(err))),
      );
    };
  }
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) return false;
  let difference = 0;
  for (let index = 0; index < left.length; index += 1) difference |= (left[index] as number) ^ (right[index] as number);
  return difference === 0;
}

/** For handlers that need the user and must never run without one (routes whose rule has no `public`). */
export function requireUser(request: Request): SessionUser {
  const user = userOf(request);
  if (!user) throw iocError('IOC_ERR_UNAUTHENTICATED', 'Sign in first (POST /api/v1/session)');
  return user;
}

