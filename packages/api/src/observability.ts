import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import express, { type RequestHandler, type Router } from 'express';
import type pg from 'pg';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Server } from 'socket.io';
import type { CameraSummary } from '@ioc/schemas';
import { checkDatabase } from '@ioc/store';

/** What the process knows about itself, read when Prometheus scrapes (never pushed from hot paths). */
export interface MetricsSources {
  outbox(): { depthBatches: number; depthRows: number };
  broker(): { connected: boolean };
  /** Cameras analysed by this process (one-process mode) or announced by the ingest workers (API nodes). */
  cameras?(): readonly CameraSummary[];
  /** Rows the batch writer committed since start, by table, and dead letters by source and code. */
  writer?(): { rowsWrittenByTable: Readonly<Record<string, number>>; deadLettersByReason: ReadonlyArray<{ source: string; code: string; count: number }> };
}

/** Bounds of /livez: a loop this late for this long is stuck, and a restart is the cure. */
const LIVENESS_MAX_EVENT_LOOP_DELAY_MS = 5000;
/** /readyz must answer well inside a load balancer's probe timeout even when the database hangs. */
const READINESS_DATABASE_TIMEOUT_MS = 2000;

/**
 * One Prometheus registry per API process, with the request middleware that feeds it and the routes that serve it
 * (`/metrics`, admins or a key of scope `metrics` per the permission table) and the probes (`/livez`, `/readyz`).
 * Gauges of state (outbox, cameras, sockets) are read from their owners at scrape time, so nothing on the frame or
 * request path does more than one counter increment.
 */
export class Observability {
  readonly registry = new Registry();
  readonly #sources: MetricsSources;
  readonly #eventLoopDelay: IntervalHistogram;
  readonly #httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly #httpDuration: Histogram<'method' | 'route'>;
  readonly #rejected: Counter<'source' | 'reason'>;
  #io: Server | undefined;

  constructor(sources: MetricsSources) {
    this.#sources = sources;
    collectDefaultMetrics({ register: this.registry, prefix: 'ioc_' });
    this.#eventLoopDelay = monitorEventLoopDelay({ resolution: 20 });
    this.#eventLoopDelay.enable();

    this.#httpRequests = new Counter({
      name: 'ioc_http_requests_total',
      help: 'HTTP requests answered, by route pattern (never the raw URL: ids would explode the series), method and status',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.#httpDuration = new Histogram({
      name: 'ioc_http_request_duration_seconds',
      help: 'Time from request to the end of the response, by route pattern',
      labelNames: ['method', 'route'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    this.#rejected = new Counter({
      name: 'ioc_rejected_inputs_total',
      help: 'Inputs refused, by where they came in (http, mqtt …) and the coded reason (IOC_ERR_… or the Open311 code)',
      labelNames: ['source', 'reason'],
      registers: [this.registry],
    });

    const gauge = (name: string, help: string, labelNames: string[], collect: (this: Gauge) => void) =>
      new Gauge({ name, help, labelNames, registers: [this.registry], collect });
    // prom-client calls `collect` with the metric as `this`; the sources are reached through this alias.
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    gauge('ioc_outbox_batches', 'Batches waiting in the on-disk outbox (the database was unreachable)', [], function () {
      this.set(self.#sources.outbox().depthBatches);
    });
    gauge('ioc_outbox_rows', 'Rows waiting in the on-disk outbox', [], function () {
      this.set(self.#sources.outbox().depthRows);
    });
    gauge('ioc_broker_connected', '1 when the MQTT connection is up', [], function () {
      this.set(self.#sources.broker().connected ? 1 : 0);
    });
    gauge('ioc_socket_clients', 'Live socket.io clients, by namespace', ['namespace'], function () {
      this.reset();
      for (const namespace of self.#io?._nsps.values() ?? []) this.set({ namespace: namespace.name }, namespace.sockets.size);
    });
    gauge('ioc_event_loop_delay_p99_seconds', 'The 99th percentile of the event loop delay since the last scrape', [], function () {
      this.set(self.#eventLoopDelay.percentile(99) / 1e9);
      self.#eventLoopDelay.reset();
    });
    const cameraGauge = (name: string, help: string, value: (camera: CameraSummary) => number | undefined) =>
      gauge(name, help, ['camera'], function () {
        this.reset();
        for (const camera of self.#sources.cameras?.() ?? []) {
          const measured = value(camera);
          if (measured !== undefined) this.set({ camera: camera.id }, measured);
        }
      });
    cameraGauge('ioc_camera_analysed_fps', 'Frames analysed per second over the last 10 s', (camera) => camera.analysedFps);
    cameraGauge('ioc_camera_inference_seconds', 'Median detector time of the last 50 frames', (camera) => camera.inferenceMs / 1000);
    cameraGauge('ioc_camera_online', '1 while the camera delivers frames', (camera) => (camera.state === 'online' ? 1 : 0));
    cameraGauge('ioc_camera_frames_skipped', 'Frames skipped to keep up since the pipeline started', (camera) => camera.framesSkipped);
    cameraGauge('ioc_camera_reconnects', 'Source reconnects since the pipeline started', (camera) => camera.reconnects);
    cameraGauge('ioc_camera_last_frame_age_seconds', 'Seconds since the last analysed frame', (camera) =>
      camera.lastFrameAtMs === undefined ? undefined : Math.max(0, (Date.now() - camera.lastFrameAtMs) / 1000),
    );

    // Totals kept by their owners: the counter is set to the owner's figure at scrape time.
    new Counter({
      name: 'ioc_rows_written_total',
      help: 'Rows committed by the batch writer since start, by table',
      labelNames: ['table'],
      registers: [this.registry],
      collect() {
        const written = self.#sources.writer?.();
        if (!written) return;
        this.reset();
        for (const [table, rows] of Object.entries(written.rowsWrittenByTable)) this.inc({ table }, rows);
      },
    });
    new Counter({
      name: 'ioc_dead_letters_total',
      help: 'Ingest messages refused and kept as dead letters since start, by source and coded reason',
      labelNames: ['source', 'reason'],
      registers: [this.registry],
      collect() {
        const written = self.#sources.writer?.();
        if (!written) return;
        this.reset();
        for (const { source, code, count } of written.deadLettersByReason) this.inc({ source, reason: code }, count);
      },
    });
  }

  /** The socket.io server whose namespaces are counted (created after the middleware is in place). */
  attachSocketServer(io: Server): void {
    this.#io = io;
  }

  /** Counts one refused input that did not come through HTTP (HTTP refusals are counted by the middleware). */
  rejected(source: string, reason: string): void {
    this.#rejected.inc({ source, reason });
  }

  /**
   * Counts every request by its route pattern when it ends. Refusals (4xx) are also counted by their coded reason,
   * read from the JSON error body the handlers send (`{error:{code}}`, or GeoReport's `[{code}]`).
   */
  middleware(): RequestHandler {
    return (request, response, next) => {
      const startedNs = process.hrtime.bigint();
      const json = response.json.bind(response);
      let errorCode: string | undefined;
      response.json = (body: unknown) => {
        if (response.statusCode >= 400) errorCode = errorCodeOf(body);
        return json(body);
      };
      response.once('finish', () => {
        const route = routePatternOf(request);
        const status = String(response.statusCode);
        this.#httpRequests.inc({ method: request.method, route, status });
        this.#httpDuration.observe({ method: request.method, route }, Number(process.hrtime.bigint() - startedNs) / 1e9);
        if (response.statusCode >= 400 && response.statusCode < 500) this.#rejected.inc({ source: 'http', reason: errorCode ?? `HTTP_${status}` });
      });
      next();
    };
  }

  /** `/metrics`, `/livez`, `/readyz`. Access is the permission table's (probes public, metrics for admins or a key). */
  router(deps: { pool: pg.Pool; broker(): { connected: boolean }; ready(): { ready: boolean; reason?: string } }): Router {
    const router = express.Router();
    router.get('/metrics', async (_request, response) => {
      response.setHeader('Content-Type', this.registry.contentType);
      response.setHeader('Cache-Control', 'no-store');
      response.send(await this.registry.metrics());
    });
    // Liveness says only whether this process still turns its event loop; a database outage must not get the
    // process restarted (the outbox is riding it out), so nothing outside the process is checked here.
    router.get('/livez', (_request, response) => {
      const delayMs = this.#eventLoopDelay.max / 1e6;
      const alive = !Number.isFinite(delayMs) || delayMs < LIVENESS_MAX_EVENT_LOOP_DELAY_MS;
      response.setHeader('Cache-Control', 'no-store');
      response.status(alive ? 200 : 503).json({ status: alive ? 'ok' : 'stalled', eventLoopDelayMaxMs: Math.round(Number.isFinite(delayMs) ? delayMs : 0) });
    });
    // Readiness: whether a load balancer should send traffic here now. The reasons name what is missing.
    router.get('/readyz', async (_request, response) => {
      const reasons: string[] = [];
      const started = deps.ready();
      if (!started.ready) reasons.push(started.reason ?? 'starting');
      const database = await checkDatabase(deps.pool, READINESS_DATABASE_TIMEOUT_MS);
      if (!database.reachable) reasons.push('database unreachable');
      if (!deps.broker().connected) reasons.push('MQTT broker not connected');
      response.setHeader('Cache-Control', 'no-store');
      response.status(reasons.length === 0 ? 200 : 503).json({ status: reasons.length === 0 ? 'ready' : 'notReady', reasons });
    });
    return router;
  }

  close(): void {
    this.#eventLoopDelay.disable();
  }
}

/** The matched route's pattern (`/api/v1/violations/:id`), or a bucket for the unmatched (pages, assets, 404s). */
export function routePatternOf(request: { baseUrl?: string; route?: { path?: unknown }; path: string; method: string }): string {
  const pattern = request.route?.path;
  if (typeof pattern === 'string') return `${request.baseUrl ?? ''}${pattern}`;
  if (request.path.startsWith('/api/')) return 'unmatched:/api';
  if (request.path.startsWith('/open311/')) return 'unmatched:/open311';
  if (request.path.startsWith('/assets/')) return 'static:/assets';
  return 'page-or-static';
}

/** The coded reason of an error body: ours (`{error:{code}}`) or GeoReport v2 (`[{code, description}]`). */
export function errorCodeOf(body: unknown): string | undefined {
  if (Array.isArray(body)) {
    const first: unknown = body[0];
    if (first && typeof first === 'object' && 'code' in first) return `OPEN311_${String((first as { code: unknown }).code)}`.slice(0, 64);
    return undefined;
  }
  if (body && typeof body === 'object' && 'error' in body) {
    const error = (body as { error: unknown }).error;
    if (error && typeof error === 'object' && 'code' in error && typeof (error as { code: unknown }).code === 'string') {
      // Only well-formed codes become label values: a label must never carry text from the request.
      const code = (error as { code: string }).code;
      return /^[A-Z0-9_]{1,64}$/.test(code) ? code : undefined;
    }
  }
  return undefined;
}
