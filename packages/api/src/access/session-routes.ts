import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Logger } from 'pino';
import { z } from 'zod';
import { iocError, parseWith } from '@ioc/schemas';
import type { AuditLog, SessionRepository, UserRepository } from '@ioc/store';
import { CSRF_HEADER, SESSION_COOKIE, clientAddressOf, requireUser, sameOrigin } from './access-control';

export interface SessionRouterOptions {
  users: Pick<UserRepository, 'authenticate'>;
  sessions: Pick<SessionRepository, 'create' | 'delete' | 'settings'>;
  audit: Pick<AuditLog, 'append' | 'list' | 'verify'>;
  logger: Logger;
  /** Failed sign-ins allowed per window, per client address and per username. */
  limits: { windowMs: number; perAddress: number; perUsername: number };
  /** Called after a sign-out: live sockets of that session are closed. */
  onSignOut?: (tokenSha256: string) => void;
}

const loginSchema = z.object({ username: z.string().min(1).max(64), password: z.string().min(1).max(1024) }).strict();

const auditQuerySchema = z
  .object({
    from: z.iso.datetime({ offset: true }).transform((text) => Date.parse(text)).optional(),
    to: z.iso.datetime({ offset: true }).transform((text) => Date.parse(text)).optional(),
    username: z.string().min(1).max(64).optional(),
    action: z.string().min(1).max(64).optional(),
    result: z.string().min(1).max(64).optional(),
    target: z.string().min(1).max(256).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    before: z.coerce.number().int().min(1).optional(),
  })
  .strict();

function cookieHeader(request: Request, token: string, maxAgeSeconds: number): string {
  // SameSite=Strict: staff pages are opened by typing the address or from the IOC's own links, so a cookie is
  // never needed on a request started by another site, and no other site can make the browser send it.
  return [`${SESSION_COOKIE}=${token}`, 'Path=/', 'HttpOnly', 'SameSite=Strict', `Max-Age=${maxAgeSeconds}`, ...(request.secure ? ['Secure'] : [])].join('; ');
}

/**
 * - `POST /api/v1/session` {username, password} → sets the session cookie; `{user, csrfToken, expiresAt}`
 * - `GET /api/v1/session` → `{user, csrfToken, expiresAt}`, or `{user: null}` when not signed in
 * - `DELETE /api/v1/session` → signs out (CSRF token required, like every state-changing call)
 * - `GET /api/v1/audit?from=&to=&username=&action=&result=&target=&limit=&before=` (admins) → newest first
 * - `GET /api/v1/audit/verify` (admins) → walks the hash chain, reports the first broken link
 */
export function createSessionRouter(options: SessionRouterOptions): Router {
  const router = express.Router();
  const log = options.logger.child({ module: 'session' });

  const limited = (request: Request, response: Response, next: NextFunction) => {
    const resetTime = (request as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
    const retrySeconds = resetTime ? Math.max(1, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : undefined;
    if (retrySeconds !== undefined) response.setHeader('Retry-After', String(retrySeconds));
    const username = typeof (request.body as { username?: unknown } | undefined)?.username === 'string' ? ((request.body as { username: string }).username.slice(0, 64)) : null;
    void options.audit
      .append({ action: 'login', result: 'rateLimited', target: username, clientAddress: clientAddressOf(request), user: null })
      .catch((err: unknown) => log.warn({ err }, 'audit append failed'));
    next(iocError('IOC_ERR_RATE_LIMITED', `Too many failed sign-ins${retrySeconds === undefined ? '' : `; retry in ${retrySeconds} s`}.`));
  };
  // Only failures count (skipSuccessfulRequests): staff signing in normally never reach the limit.
  const perAddress = rateLimit({ windowMs: options.limits.windowMs, limit: options.limits.perAddress, standardHeaders: 'draft-7', legacyHeaders: false, skipSuccessfulRequests: true, handler: limited });
  const perUsername = rateLimit({
    windowMs: options.limits.windowMs,
    limit: options.limits.perUsername,
    standardHeaders: false,
    legacyHeaders: false,
    skipSuccessfulRequests: true,
    keyGenerator: (request) => `user:${String((request.body as { username?: unknown } | undefined)?.username ?? '').trim().toLowerCase().slice(0, 64)}`,
    handler: limited,
  });

  router.post(
    '/api/v1/session',
    (request, _response, next) => {
      // Login CSRF: a foreign page must not sign a browser into an account of its choosing.
      const own = request.headers.host ? [`${request.protocol}://${request.headers.host}`] : [];
      next(sameOrigin(request.headers, own) ? undefined : iocError('IOC_ERR_CSRF', 'Sign-in from another origin'));
    },
    express.json({ limit: 4096 }),
    perAddress,
    perUsername,
    async (request, response) => {
      const parsed = parseWith(loginSchema, request.body ?? {}, 'sign-in');
      if (!parsed.ok) throw parsed.error;
      const address = clientAddressOf(request);
      const user = await options.users.authenticate(parsed.value.username, parsed.value.password);
      if (!user) {
        await options.audit.append({ action: 'login', result: 'failure', target: parsed.value.username.trim().toLowerCase(), clientAddress: address, user: null });
        throw iocError('IOC_ERR_BAD_CREDENTIALS', 'Wrong username or password');
      }
      const created = await options.sessions.create(user, address);
      await options.audit.append({ action: 'login', result: 'success', target: user.username, clientAddress: address, user });
      log.info({ username: user.username, role: user.role }, 'signed in');
      response.setHeader('Set-Cookie', cookieHeader(request, created.token, Math.round((created.expiresAtMs - Date.now()) / 1000)));
      response.setHeader('Cache-Control', 'no-store');
      response.status(201).json({ user, csrfToken: created.csrfToken, expiresAt: new Date(created.expiresAtMs).toISOString(), csrfHeader: CSRF_HEADER });
    },
  );

  router.get('/api/v1/session', (request, response) => {
    const session = request.authSession;
    response.setHeader('Cache-Control', 'no-store');
    // Not signed in is an answer, not an error: the sign-in page asks before showing the form.
    if (!session) {
      response.json({ user: null });
      return;
    }
    response.json({ user: session.user, csrfToken: session.csrfToken, expiresAt: new Date(session.expiresAtMs).toISOString(), csrfHeader: CSRF_HEADER });
  });

  router.delete('/api/v1/session', async (request, response) => {
    const user = requireUser(request);
    const session = request.authSession;
    if (session) {
      await options.sessions.delete(session.tokenSha256);
      options.onSignOut?.(session.tokenSha256);
    }
    await options.audit.append({ action: 'logout', result: 'success', target: user.username, clientAddress: clientAddressOf(request), user });
    response.setHeader('Set-Cookie', cookieHeader(request, '', 0));
    response.status(204).end();
  });

  router.get('/api/v1/audit', async (request, response) => {
    const parsed = parseWith(auditQuerySchema, request.query, 'query');
    if (!parsed.ok) throw iocError('IOC_ERR_BAD_QUERY', parsed.error.message.replace(/^Invalid/, 'Invalid query'), { issues: [...parsed.error.issues] });
    const query = parsed.value;
    const page = await options.audit.list({ fromMs: query.from, toMs: query.to, username: query.username, action: query.action, result: query.result, target: query.target, limit: query.limit, beforeSeq: query.before });
    const last = page.entries.at(-1);
    response.json({ total: page.total, entries: page.entries, nextBefore: page.entries.length === query.limit && last ? last.seq : null });
  });

  router.get('/api/v1/audit/verify', async (request, response) => {
    const result = await options.audit.verify();
    await options.audit.append({ action: 'audit.verify', result: result.ok ? 'ok' : 'broken', clientAddress: clientAddressOf(request), user: requireUser(request), details: result.ok ? { entries: result.entries } : { brokenAtSeq: result.brokenAtSeq } });
    response.json(result);
  });

  return router;
}
