import { createServer, type Server as HttpServer } from 'node:http';
import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Router } from 'express';
import { Server } from 'socket.io';
import type { Logger } from 'pino';
import type pg from 'pg';
import type { IocConfig } from '@ioc/schemas';
import { AuditLog, DeadLetterRepository, DeviceRepository, Open311ApiKeyRepository, ReadingRepository, SessionRepository, UserRepository, isConnectionError } from '@ioc/store';
import { AccessControl } from './access/access-control';
import { ApiKeyVerifier } from './access/api-key-verifier';
import { securityHeaders } from './access/security-headers';
import { createSessionRouter } from './access/session-routes';
import { geojsonBasemap } from './basemap';
import { errorHandler, notFoundHandler } from './http-errors';
import type { LiveHub } from './live-hub';
import { Observability, type MetricsSources } from './observability';
import { apiRoutes, type RuntimeStatus } from './routes';
import { WallGateway } from './wall-gateway';

export interface ApiServerOptions {
  config: Readonly<IocConfig>;
  logger: Logger;
  pool: pg.Pool;
  hub: LiveHub;
  status: Omit<RuntimeStatus, 'wallClients'>;
  /** Routers mounted before the API's own, e.g. the sensor ingest router from the composition root. */
  routers?: Router[];
  /** The built wall (dashboards/wall/dist); served at `/` when present. */
  wallDirectory?: string;
  /** What /metrics reads besides the outbox and broker of `status`: this process's cameras and batch writer. */
  metrics?: Pick<MetricsSources, 'cameras' | 'writer'>;
}

export interface ApiServer {
  /** The express application (tests walk its router stacks to list every route). */
  app: express.Express;
  /** This process's metrics registry (served at /metrics), for refusals counted outside HTTP. */
  observability: Observability;
  /** Marks the process ready for /readyz once everything behind the API is running. */
  setReady(ready: boolean, reason?: string): void;
  http: HttpServer;
  io: Server;
  wall: WallGateway;
  port: number;
  url: string;
  /** Tells live clients to reconnect elsewhere, stops accepting connections, and waits for in-flight requests. */
  close(): Promise<void>;
}

export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const { config, logger } = options;
  const log = logger.child({ module: 'api' });
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  // First, so every answer is counted, refusals by the permission table included.
  const observability = new Observability({ ...options.metrics, outbox: options.status.outbox, broker: options.status.broker });
  app.use(observability.middleware());
  let readiness: { ready: boolean; reason?: string } = { ready: false, reason: 'starting' };
  // While draining, every answer closes its connection: a keep-alive client would otherwise go on sending on it
  // and hold the drain open until the deadline.
  let draining = false;
  app.use((_request, response, next) => {
    if (draining) response.setHeader('Connection', 'close');
    next();
  });
  app.use(securityHeaders(config));
  // Accounts: every request passes the permission table (access/permissions.ts) before any route runs.
  const users = new UserRepository(options.pool);
  const sessions = new SessionRepository(options.pool, { maxAgeMs: config.auth.sessionMaxHours * 3_600_000, idleTimeoutMs: config.auth.sessionIdleMinutes * 60_000 });
  const auditLog = new AuditLog(options.pool);
  const apiKeyVerifier = new ApiKeyVerifier({ keys: new Open311ApiKeyRepository(options.pool), isConnectionError, offlineGraceMs: config.auth.apiKeyOfflineGraceMinutes * 60_000, logger });
  const access = new AccessControl({ sessions, apiKeys: apiKeyVerifier, logger, wallDirectory: options.wallDirectory, publicRequestsPerMinute: config.auth.publicRequestsPerMinute });
  app.use(access.middleware());
  app.use(
    createSessionRouter({
      users,
      sessions,
      audit: auditLog,
      logger,
      limits: { windowMs: config.auth.loginWindowMinutes * 60_000, perAddress: config.auth.loginAttemptsPerAddress, perUsername: config.auth.loginAttemptsPerUsername },
      onSignOut: (tokenSha256) => {
        // Live sockets of the closed session go too: signing out must end the wall's stream on that screen.
        for (const namespace of io._nsps.values()) {
          for (const socket of namespace.sockets.values()) if ((socket.data as { sessionSha256?: string }).sessionSha256 === tokenSha256) socket.disconnect(true);
        }
      },
    }),
  );
  app.use(observability.router({ pool: options.pool, broker: options.status.broker, ready: () => readiness }));
  for (const router of options.routers ?? []) app.use(router);

  const basemap = config.basemap.kind === 'geojson' && config.basemap.directory ? geojsonBasemap(path.resolve(config.basemap.directory)) : undefined;
  if (basemap) app.use(basemap.router);

  const http = createServer(app);
  const io = new Server(http, { serveClient: false, cors: { origin: false } });
  observability.attachSocketServer(io);
  // The same permission table on socket.io: each namespace checks the handshake's session cookie, including
  // namespaces created later by other parts (the listener is in place before any of them).
  io.of('/').use(access.socketMiddleware('/'));
  io.on('new_namespace', (namespace) => namespace.use(access.socketMiddleware(namespace.name)));
  const wall = new WallGateway(io, options.hub, logger, { batchIntervalMs: config.live.batchIntervalMs, heartbeatIntervalMs: 5000 });
  // A socket outlives its handshake: sessions that end while it is open (expired, idle, account disabled, signed
  // out on another node) are found here and their sockets closed. One query per check for all sockets.
  const socketRecheck = setInterval(() => {
    const bySession = new Map<string, Array<{ disconnect(close: boolean): unknown }>>();
    for (const namespace of io._nsps.values()) {
      for (const socket of namespace.sockets.values()) {
        const hash = (socket.data as { sessionSha256?: string }).sessionSha256;
        if (hash) bySession.set(hash, [...(bySession.get(hash) ?? []), socket]);
      }
    }
    if (bySession.size === 0) return;
    sessions.stillValid([...bySession.keys()]).then(
      (valid) => {
        for (const [hash, sockets] of bySession) if (!valid.has(hash)) for (const socket of sockets) socket.disconnect(true);
      },
      (err: unknown) => log.warn({ err }, 'socket session check failed'),
    );
  }, config.auth.socketRecheckSeconds * 1000);
  socketRecheck.unref();

  app.use(
    apiRoutes({
      config,
      pool: options.pool,
      hub: options.hub,
      devices: new DeviceRepository(options.pool),
      readings: new ReadingRepository(options.pool),
      deadLetters: new DeadLetterRepository(options.pool),
      status: { ...options.status, wallClients: () => wall.clientCount },
      startedAtMs: Date.now(),
      geojsonLayers: basemap?.layers ?? [],
    }),
  );
  app.use('/api', notFoundHandler);

  const wallDirectory = options.wallDirectory;
  if (wallDirectory && existsSync(path.join(wallDirectory, 'index.html'))) {
    app.use(express.static(wallDirectory, { index: 'index.html', maxAge: '1h', setHeaders: (response, filePath) => {
      if (filePath.endsWith('index.html')) response.setHeader('Cache-Control', 'no-cache');
    } }));
    // Each role has its own page (dist/leader.html, dist/operator.html …) at `/leader` and below; every other
    // client route loads the wall.
    app.get(/^\/(?!api\/|socket\.io\/).*/, (request, response) => {
      response.setHeader('Cache-Control', 'no-cache');
      response.sendFile(path.join(wallDirectory, rolePage(wallDirectory, request.path)));
    });
  } else {
    log.warn({ wallDirectory }, 'the wall is not built; run `pnpm --filter @ioc/wall build`');
  }
  app.use(notFoundHandler);
  app.use(errorHandler(log));

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.server.port, config.server.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  const url = `http://${config.server.host === '0.0.0.0' ? '127.0.0.1' : config.server.host}:${port}`;
  log.info({ url }, 'API and wall listening');
  if ((await users.count()) === 0) {
    log.warn('no user accounts yet: create the first admin with `pnpm ioc create-user --role admin --username NAME` (the password is read from stdin or generated and printed once)');
  }

  // Listening with every route mounted: ready unless the composition root says otherwise (e.g. while draining).
  readiness = { ready: true };

  return {
    app,
    observability,
    setReady: (ready, reason) => {
      readiness = ready ? { ready } : { ready, reason: reason ?? 'not ready' };
    },
    http,
    io,
    wall,
    port,
    url,
    close: async () => {
      // A load balancer polling /readyz stops sending new clients here while the live ones are told to go.
      readiness = { ready: false, reason: 'shutting down' };
      draining = true;
      observability.close();
      clearInterval(socketRecheck);
      wall.drain();
      // io.close closes the HTTP server: no new connections, idle ones closed, and it calls back once the requests
      // in flight have been answered. A client that never finishes its request must not hold the drain (and the
      // flush of accepted data behind it) past the service manager's patience: after the deadline, connections go.
      const closed = new Promise<void>((resolve) => {
        io.close(() => resolve());
      });
      let deadline: NodeJS.Timeout | undefined;
      const timedOut = await Promise.race([
        closed.then(() => false),
        new Promise<boolean>((resolve) => {
          deadline = setTimeout(() => resolve(true), config.server.drainTimeoutSeconds * 1000);
        }),
      ]);
      clearTimeout(deadline);
      if (timedOut) log.warn({ drainTimeoutSeconds: config.server.drainTimeoutSeconds }, 'requests still in flight at the drain deadline: closing their connections');
      http.closeAllConnections?.();
      await closed;
    },
  };
}

/** `/leader/…` → `leader.html` when the build has that page; anything else → the wall's `index.html`. */
export function rolePage(wallDirectory: string, requestPath: string): string {
  const first = /^\/([a-z][a-z0-9-]*)(?:\/|$)/.exec(requestPath)?.[1];
  if (first && first !== 'index' && existsSync(path.join(wallDirectory, `${first}.html`))) return `${first}.html`;
  return 'index.html';
}
