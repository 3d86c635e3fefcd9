import { z } from 'zod';
import { cameraConfigSchema } from './camera';
import { iocError } from './errors';
import { toFieldIssues } from './validation';

/**
 * The one configuration file (`ioc.config.json`), validated once at start-up and frozen.
 * Strict: an unknown key is an error, so a typo never silently falls back to a default.
 * Secrets (database and broker URLs with passwords) come from the environment, never from the file in git.
 */
const port = z.number().int().min(0).max(65_535);

export const configSchema = z
  .object({
    dataDir: z.string().min(1).default('./data').describe('Directory for embedded PostgreSQL, the outbox and evidence files.'),
    server: z
      .object({
        host: z.string().min(1).default('0.0.0.0').describe('Address the HTTP server binds to.'),
        port: port.default(8080).describe('HTTP port of the API and the wall (0 = any free port).'),
        bodyLimitBytes: z.number().int().min(1024).max(64 * 1024 * 1024).default(1024 * 1024).describe('Largest accepted request body.'),
        drainTimeoutSeconds: z.number().min(0).max(600).default(15).describe('On SIGTERM, requests in flight get this long to finish before their connections are closed (keep it under the service manager\'s stop timeout).'),
      })
      .strict()
      .prefault({}),
    auth: z
      .object({
        sessionMaxHours: z.number().min(0.1).max(24 * 30).default(12).describe('A session ends this long after sign-in (one shift).'),
        sessionIdleMinutes: z.number().min(1).max(7 * 24 * 60).default(120).describe('A session unused for this long ends.'),
        loginAttemptsPerAddress: z.number().int().min(1).max(100_000).default(30).describe('Sign-in attempts per client address per window.'),
        loginAttemptsPerUsername: z.number().int().min(1).max(100_000).default(10).describe('Sign-in attempts per username per window (slows guessing one account from many addresses).'),
        loginWindowMinutes: z.number().min(0.1).max(24 * 60).default(15),
        publicRequestsPerMinute: z.number().int().min(1).max(1_000_000).default(600).describe('Requests to public API routes (Open311 reads, the site, sign-in) per client address per minute.'),
        socketRecheckSeconds: z.number().min(0.2).max(3600).default(60).describe('How often live sockets are checked against their sessions (signed out, expired, idle, account disabled: disconnected).'),
        apiKeyOfflineGraceMinutes: z
          .number()
          .min(0)
          .max(24 * 60)
          .default(30)
          .describe('While the database cannot be reached, an API key this node verified within this many minutes is still honoured, so sensors and portals keep sending into the outbox; 0: refuse every key during an outage.'),
      })
      .strict()
      .prefault({}),
    database: z
      .object({
        url: z.string().regex(/^postgres(ql)?:\/\//, 'a postgres:// URL').optional().describe('External PostgreSQL/TimescaleDB; embedded PostgreSQL when absent.'),
        embeddedPort: port.default(5433).describe('Port of the embedded PostgreSQL.'),
        poolSize: z.number().int().min(2).max(100).default(10),
        aggregateRefreshSeconds: z.number().int().min(5).max(3600).default(60).describe('How often plain-PostgreSQL materialized views are refreshed.'),
      })
      .strict()
      .prefault({}),
    mqtt: z
      .object({
        url: z.string().regex(/^(mqtts?|wss?|tcp):\/\//, 'an mqtt:// URL').optional().describe('External MQTT broker; in-process broker when absent.'),
        embeddedPort: port.default(1883).describe('Port of the in-process MQTT broker.'),
        embeddedHost: z.string().min(1).default('0.0.0.0'),
        maxPayloadBytes: z.number().int().min(256).max(16 * 1024 * 1024).default(256 * 1024),
      })
      .strict()
      .prefault({}),
    writer: z
      .object({
        maxBatchRows: z.number().int().min(1).max(100_000).default(20_000),
        flushIntervalMs: z.number().int().min(1).max(10_000).default(100),
        retryIntervalMs: z.number().int().min(50).max(60_000).default(1000),
      })
      .strict()
      .prefault({}),
    ingest: z
      .object({
        maxReadingAgeSeconds: z.number().int().min(60).max(366 * 86_400).default(7 * 86_400).describe('Readings older than this are rejected.'),
        maxFutureSkewSeconds: z.number().int().min(0).max(86_400).default(300).describe('Readings further in the future than this are rejected (clock skew).'),
      })
      .strict()
      .prefault({}),
    live: z
      .object({
        batchIntervalMs: z.number().int().min(20).max(5000).default(250).describe('Deltas are pushed to the wall at most this often.'),
        replayBufferEvents: z.number().int().min(100).max(1_000_000).default(20_000).describe('Events kept for clients that reconnect.'),
        historyMinutes: z.number().int().min(5).max(24 * 60).default(60).describe('Minutes of history in the wall snapshot.'),
      })
      .strict()
      .prefault({}),
    demo: z
      .object({
        enabled: z.boolean().default(true).describe('Run the simulated sensors of the demo site.'),
        backfillMinutes: z.number().int().min(0).max(7 * 24 * 60).default(60).describe('History generated at start so charts are not empty.'),
      })
      .strict()
      .prefault({}),
    basemap: z
      .object({
        kind: z.enum(['builtin', 'styleUrl', 'pmtiles', 'geojson']).default('builtin'),
        url: z.string().min(1).optional().describe('Style URL, or PMTiles URL, for kind styleUrl/pmtiles.'),
        directory: z.string().min(1).optional().describe('Folder of GeoJSON layers for kind geojson.'),
      })
      .strict()
      .prefault({}),
    cameras: z.array(cameraConfigSchema).max(512).default([]).describe('Cameras to analyse (see the camera section of README.md).'),
    vision: z
      .object({
        modelsDirectory: z.string().min(1).optional().describe('Folder holding manifest.json and the .onnx files; the repository’s models/ when absent.'),
        threadsPerCamera: z.number().int().min(1).max(64).default(1).describe('onnxruntime threads per camera; cameras run in parallel, so 1 uses cores best.'),
        snapshotIntervalSeconds: z.number().min(1).max(600).default(5).describe('How often each camera’s annotated snapshot is refreshed.'),
      })
      .strict()
      .prefault({}),
    reports: z
      .object({
        enabled: z.boolean().default(true).describe('Write the daily review (PDF and CSV) for the previous Vietnam day once a day.'),
        directory: z.string().min(1).optional().describe('Folder the daily report files (bao-cao-ngay-YYYY-MM-DD.pdf/.csv) are written to; <dataDir>/reports when absent.'),
        dailyAtHourVietnam: z.number().int().min(0).max(23).default(6).describe('Hour (Vietnam time, UTC+7) from which the previous day’s report is written.'),
      })
      .strict()
      .prefault({}),
    evidence: z
      .object({
        directory: z.string().min(1).optional().describe('Folder of violation evidence files (named by sha256, written once); <dataDir>/evidence when absent.'),
        clipSecondsBefore: z.number().min(0).max(15).default(3).describe('Seconds of video kept before a violation (each camera keeps a ring buffer of recent frames).'),
        clipSecondsAfter: z.number().min(0.5).max(15).default(2).describe('Seconds of video after the violation; the clip is encoded once they have arrived.'),
        frameOffsetSeconds: z.number().min(0.1).max(5).default(1).describe('How far before and after the violation the "before" and "after" frames are taken.'),
        ringBufferMegabytes: z.number().int().min(8).max(4096).default(96).describe('Most memory one camera’s ring buffer of raw frames may hold; the clip starts later when it is full.'),
        maxPendingViolations: z.number().int().min(1).max(64).default(8).describe('Violations per camera waiting for their "after" frames; beyond this one is finished early with what has arrived.'),
        readPlates: z.boolean().default(true).describe('Read the plate of each violation (PaddleOCR, two inference threads shared by all cameras); off: plate fields stay empty.'),
      })
      .strict()
      .prefault({}),
    log: z
      .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((config, context) => {
    verifyBasemap(config.basemap, context);
    verifyCameraIds(config.cameras, context);
  });

function verifyCameraIds(cameras: ReadonlyArray<{ id: string }>, context: z.RefinementCtx): void {
  const seen = new Set<string>();
  cameras.forEach((camera, index) => {
    if (seen.has(camera.id)) context.addIssue({ code: 'custom', path: ['cameras', index, 'id'], message: `duplicate camera id "${camera.id}"` });
    seen.add(camera.id);
  });
}

function verifyBasemap(basemap: { kind: string; url?: string | undefined; directory?: string | undefined }, context: z.RefinementCtx): void {
  if ((basemap.kind === 'styleUrl' || basemap.kind === 'pmtiles') && !basemap.url) {
    context.addIssue({ code: 'custom', path: ['basemap', 'url'], message: `basemap.url is required when basemap.kind is ${basemap.kind}` });
  }
  if (basemap.kind === 'geojson' && !basemap.directory) {
    context.addIssue({ code: 'custom', path: ['basemap', 'directory'], message: 'basemap.directory is required when basemap.kind is geojson' });
  }
}

export type IocConfig = z.infer<typeof configSchema>;
export type IocConfigInput = z.input<typeof configSchema>;

/** Environment variables and the config path each overrides. Documented in README.md (a test checks). */
export const ENV_OVERRIDES = {
  DATABASE_URL: { path: ['database', 'url'], kind: 'string' },
  MQTT_URL: { path: ['mqtt', 'url'], kind: 'string' },
  IOC_DATA_DIR: { path: ['dataDir'], kind: 'string' },
  IOC_HOST: { path: ['server', 'host'], kind: 'string' },
  IOC_PORT: { path: ['server', 'port'], kind: 'integer' },
  IOC_PG_PORT: { path: ['database', 'embeddedPort'], kind: 'integer' },
  IOC_MQTT_PORT: { path: ['mqtt', 'embeddedPort'], kind: 'integer' },
  IOC_DEMO: { path: ['demo', 'enabled'], kind: 'boolean' },
  IOC_LOG_LEVEL: { path: ['log', 'level'], kind: 'string' },
  IOC_BASEMAP_KIND: { path: ['basemap', 'kind'], kind: 'string' },
  IOC_BASEMAP_URL: { path: ['basemap', 'url'], kind: 'string' },
  IOC_BASEMAP_DIR: { path: ['basemap', 'directory'], kind: 'string' },
} as const satisfies Record<string, { path: readonly string[]; kind: 'string' | 'integer' | 'boolean' }>;

function coerceEnvValue(name: string, raw: string, kind: 'string' | 'integer' | 'boolean'): unknown {
  if (kind === 'string') return raw;
  if (kind === 'integer') {
    if (!/^-?\d+$/.test(raw.trim())) throw iocError('IOC_ERR_CONFIG', `${name}: expected an integer, found "${raw}"`);
    return Number.parseInt(raw, 10);
  }
  const lowered = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(lowered)) return true;
  if (['0', 'false', 'no', 'off'].includes(lowered)) return false;
  throw iocError('IOC_ERR_CONFIG', `${name}: expected true/false, found "${raw}"`);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * Merges the file's object with environment overrides, validates once and freezes.
 * Pure: the caller reads the file and passes `process.env`. Errors name the path, what was expected and what was found.
 */
export function resolveConfig(fileContent: unknown, env: Record<string, string | undefined>, source = 'ioc.config.json'): Readonly<IocConfig> {
  if (fileContent !== undefined && (typeof fileContent !== 'object' || fileContent === null || Array.isArray(fileContent))) {
    throw iocError('IOC_ERR_CONFIG', `${source}: expected a JSON object at the top level`);
  }
  const merged: Record<string, unknown> = JSON.parse(JSON.stringify(fileContent ?? {})) as Record<string, unknown>;
  for (const [name, override] of Object.entries(ENV_OVERRIDES)) {
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    let cursor = merged;
    const keys = override.path;
    for (const key of keys.slice(0, -1)) {
      const next = cursor[key];
      if (next === undefined) cursor[key] = {};
      else if (typeof next !== 'object' || next === null) throw iocError('IOC_ERR_CONFIG', `${source}: ${key} must be an object`);
      cursor = cursor[key] as Record<string, unknown>;
    }
    cursor[keys[keys.length - 1] as string] = coerceEnvValue(name, raw, override.kind);
  }
  const result = configSchema.safeParse(merged);
  if (!result.success) {
    const issues = toFieldIssues(result.error);
    const lines = issues.map((issue) => `  ${issue.path}: ${issue.reason}`).join('\n');
    throw iocError('IOC_ERR_CONFIG', `Invalid configuration (${source} and IOC_* environment):\n${lines}`, { issues });
  }
  return deepFreeze(result.data);
}
