#!/usr/bin/env -S npx tsx
/**
 * `ioc` — the operator's command line.
 *   ioc start            the whole system on embedded defaults (or DATABASE_URL / MQTT_URL)
 *   ioc ingest           an ingest worker beside others (leased cameras, MQTT sensors; DATABASE_URL and MQTT_URL)
 *   ioc api              an API node beside others (REST, the wall; DATABASE_URL and MQTT_URL)
 *   ioc migrate          apply database migrations and exit
 *   ioc check-config     validate ioc.config.json + IOC_* environment and print the effective config
 *   ioc analyze --video FILE --line X1,Y1,X2,Y2 [--line …] [--fps N] [--model NAME] [--anchor A] [--threads N] --json
 *                        count vehicles crossing lines in a video file (line points in source-video pixels)
 *   ioc eval-detector --images DIR --labels DIR [--model NAME] [--unstretch 16:9] [--min-box PIXELS] [--score S] [--precision-floor P] --json
 *                        per-class precision, recall and AP@0.5 of a detector on labelled images
 *   ioc analyze --video FILE --camera CONFIG.json [--fps N] [--model NAME] [--threads N] --json
 *                        the full camera pipeline (lines, stop lines, signal lamps, violation rules) on a file
 *   ioc build-site-pack --osm FILE(.osm|.osm.pbf) --boundaries FILE.geojson --out DIR [--name N] [--clip] [--cameras F] [--sensors F]
 *                        a site pack (site.json, roads/water/boundaries GeoJSON) for basemap.kind geojson
 *   ioc create-api-key NAME [--scope open311,ingest,dossiers]
 *                        an API key for a citizens' app or a machine (printed once; stored as its sha256)
 *   ioc create-user --role admin|operator|leader|police --username NAME [--districts …] [--cameras …] [--unit …]
 *                        a staff account; password from stdin, a no-echo prompt, or generated and printed once
 *   ioc list-users | set-password --username NAME | disable-user --username NAME | enable-user --username NAME
 *                        the admin's account chores, each audited
 *   ioc read-plates --images DIR [--labels DIR] [--json]  |  --truth FILE.json
 *                        read licence plates (labelled plate boxes or whole images); with --truth, the exact-read share
 *   ioc import-dossiers FILE(.csv|.xlsx) [--format csv|xlsx] [--server URL]
 *                        a one-stop-shop dossier export into the dossier tables (DATABASE_URL, or a running IOC)
 *   ioc report-daily [--date YYYY-MM-DD] [--out DIR]
 *                        the leaders' daily review as bao-cao-ngay-DATE.pdf and .csv
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { DEFAULT_DETECTOR_MODEL, isIocError, iocError, anchorSchema, cameraConfigSchema, parseWith } from '@ioc/schemas';
import { ModelCatalog, analyzeCameraVideo, analyzeVideo, evaluateDetector, type CountingLine } from '@ioc/ingest';
import { createPool, migrate } from '@ioc/store';
import { loadConfig } from '../config-file';
import { createRootLogger } from '../logger';
import { startSystem } from '../system';
import { BUILD_SITE_PACK_USAGE, buildSitePackCommand } from '../site-pack/cli';
import { IMPORT_DOSSIERS_USAGE, importDossiersCommand } from '../demo/dossiers-import-cli';
import { CREATE_API_KEY_USAGE, createApiKeyCommand } from '../demo/field-reports-cli';
import { CREATE_USER_USAGE, createUserCommand } from '../accounts/create-user-cli';
import { MANAGE_USERS_USAGE, manageUsersCommand } from '../accounts/manage-users-cli';
import { READ_PLATES_USAGE, readPlatesCommand } from '../plates/read-plates-cli';
import { REPORT_DAILY_USAGE, reportDailyCommand } from '../reports/report-daily-cli';
import { SPLIT_USAGE, splitCommand } from '../split/cli';

const USAGE = `usage: ioc <start|migrate|check-config|analyze|build-site-pack>
  ${BUILD_SITE_PACK_USAGE}
  ${IMPORT_DOSSIERS_USAGE}
  ${CREATE_API_KEY_USAGE}
  ${CREATE_USER_USAGE}
  ${MANAGE_USERS_USAGE}
  ${READ_PLATES_USAGE}
  ${REPORT_DAILY_USAGE}
  ${SPLIT_USAGE}
  ioc analyze --video FILE --line X1,Y1,X2,Y2 [--line …] [--fps N] [--model NAME] [--anchor ANCHOR] [--threads N] [--json]
  ioc analyze --video FILE --camera CONFIG.json [--fps N] [--model NAME] [--threads N] [--json]
  ioc eval-detector --images DIR --labels DIR [--model NAME] [--unstretch W:H] [--min-box PIXELS] [--score S] [--precision-floor P] [--threads N] [--json]`;

/** The repository's models/ folder (manifest.json and the built .onnx files). */
export const DEFAULT_MODELS_DIRECTORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models');

/** A numeric option in [min, max] (whole when `integer`), or a validation error naming it: never a silent NaN. */
function numberOption(text: string, name: string, range: { min: number; max: number; integer?: boolean }): number {
  const value = Number(text);
  const whole = range.integer === true;
  if (text.trim() === '' || !Number.isFinite(value) || value < range.min || value > range.max || (whole && !Number.isInteger(value))) {
    const expected = `${whole ? 'a whole number' : 'a number'} in [${range.min}, ${range.max}]`;
    throw iocError('IOC_ERR_VALIDATION', `--${name} ${text}: expected ${expected}`, { issues: [{ path: name, reason: `expected ${expected}` }] });
  }
  return value;
}

const threadsOption = (text: string): number => numberOption(text, 'threads', { min: 1, max: 64, integer: true });

function parseLine(text: string, index: number): CountingLine {
  const numbers = text.split(',').map((part) => Number(part.trim()));
  if (numbers.length !== 4 || numbers.some((value) => !Number.isFinite(value))) {
    throw iocError('IOC_ERR_VALIDATION', `--line ${text}: expected X1,Y1,X2,Y2 in source-video pixels`, { issues: [{ path: `line.${index}`, reason: 'expected four numbers' }] });
  }
  const [x1, y1, x2, y2] = numbers as [number, number, number, number];
  return { id: `line-${index + 1}`, start: { x: x1, y: y1 }, end: { x: x2, y: y2 } };
}

async function analyzeCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      video: { type: 'string' },
      line: { type: 'string', multiple: true },
      fps: { type: 'string' },
      model: { type: 'string', default: DEFAULT_DETECTOR_MODEL },
      anchor: { type: 'string' },
      threads: { type: 'string', default: '1' },
      models: { type: 'string' },
      json: { type: 'boolean', default: false },
      camera: { type: 'string' },
    },
    strict: true,
  });
  if (!values.video) throw iocError('IOC_ERR_VALIDATION', 'ioc analyze needs --video FILE', { issues: [{ path: 'video', reason: 'required' }] });
  if (values.camera !== undefined) return analyzeCameraCommand({ ...values, video: values.video, camera: values.camera });
  const lines = (values.line ?? []).map(parseLine);
  if (lines.length === 0) throw iocError('IOC_ERR_VALIDATION', 'ioc analyze needs at least one --line X1,Y1,X2,Y2', { issues: [{ path: 'line', reason: 'required' }] });
  const fps = values.fps === undefined ? undefined : Number(values.fps);
  if (fps !== undefined && !(fps > 0 && fps <= 60)) throw iocError('IOC_ERR_VALIDATION', `--fps ${values.fps}: expected a number in (0, 60]`, { issues: [{ path: 'fps', reason: 'out of range' }] });
  const anchor = values.anchor === undefined ? undefined : anchorSchema.parse(values.anchor);
  const catalog = ModelCatalog.load(values.models ?? process.env.IOC_MODELS_DIR ?? DEFAULT_MODELS_DIRECTORY);
  await catalog.verify(values.model);
  const result = await analyzeVideo({
    videoPath: values.video,
    lines,
    analysisFps: fps,
    model: catalog.spec(values.model),
    threads: threadsOption(values.threads),
    ...(anchor ? { anchor } : {}),
    logger: pino({ level: 'warn' }, pino.destination(2)),
  });
  const output = { frames: result.frames, analysedFrames: result.analysedFrames, counts: result.counts, ...(lines.length > 1 ? { countsByLine: result.countsByLine } : {}), model: result.model, timing: result.timing };
  process.stdout.write(values.json ? `${JSON.stringify(output)}\n` : `${JSON.stringify(output, null, 2)}\n`);
  return 0;
}

/** `ioc analyze --camera CONFIG.json`: counts, violations and the signal timeline, frames in decode order. */
async function analyzeCameraCommand(values: { video: string; camera: string; line?: string[] | undefined; fps?: string | undefined; model: string; threads: string; models?: string | undefined; json: boolean }): Promise<number> {
  if (values.line !== undefined) throw iocError('IOC_ERR_VALIDATION', 'ioc analyze: give lines in the camera config or with --line, not both', { issues: [{ path: 'line', reason: 'not with --camera' }] });
  let text: string;
  try {
    text = readFileSync(values.camera, 'utf8');
  } catch (err) {
    throw iocError('IOC_ERR_VALIDATION', `--camera ${values.camera}: cannot read the file (${(err as Error).message})`, { issues: [{ path: 'camera', reason: 'unreadable' }] });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw iocError('IOC_ERR_VALIDATION', `--camera ${values.camera}: not JSON (${(err as Error).message})`, { issues: [{ path: 'camera', reason: 'not JSON' }] });
  }
  const parsed = parseWith(cameraConfigSchema, json, `camera config ${values.camera}`);
  if (!parsed.ok) throw parsed.error;
  const fps = values.fps === undefined ? undefined : Number(values.fps);
  if (fps !== undefined && !(fps > 0 && fps <= 60)) throw iocError('IOC_ERR_VALIDATION', `--fps ${values.fps}: expected a number in (0, 60]`, { issues: [{ path: 'fps', reason: 'out of range' }] });
  const catalog = ModelCatalog.load(values.models ?? process.env.IOC_MODELS_DIR ?? DEFAULT_MODELS_DIRECTORY);
  await catalog.verify(values.model);
  const result = await analyzeCameraVideo({
    videoPath: values.video,
    camera: parsed.value,
    analysisFps: fps,
    model: catalog.spec(values.model),
    threads: threadsOption(values.threads),
    logger: pino({ level: 'warn' }, pino.destination(2)),
  });
  const output = {
    frames: result.frames,
    analysedFrames: result.analysedFrames,
    counts: result.counts,
    ...(parsed.value.lines.length > 1 ? { countsByLine: result.countsByLine } : {}),
    violations: result.violations,
    signal: result.signal,
    model: result.model,
    timing: result.timing,
  };
  process.stdout.write(values.json ? `${JSON.stringify(output)}\n` : `${JSON.stringify(output, null, 2)}\n`);
  return 0;
}

async function evalDetectorCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      images: { type: 'string' },
      labels: { type: 'string' },
      model: { type: 'string', default: DEFAULT_DETECTOR_MODEL },
      models: { type: 'string' },
      unstretch: { type: 'string' },
      'min-box': { type: 'string' },
      score: { type: 'string' },
      'precision-floor': { type: 'string' },
      threads: { type: 'string', default: '1' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (!values.images || !values.labels) throw iocError('IOC_ERR_VALIDATION', 'ioc eval-detector needs --images DIR and --labels DIR', { issues: [{ path: values.images ? 'labels' : 'images', reason: 'required' }] });
  let unstretchAspect: number | undefined;
  if (values.unstretch) {
    const [width, height] = values.unstretch.split(':').map(Number);
    if (!width || !height) throw iocError('IOC_ERR_VALIDATION', `--unstretch ${values.unstretch}: expected W:H such as 16:9`, { issues: [{ path: 'unstretch', reason: 'expected W:H' }] });
    unstretchAspect = width / height;
  }
  const catalog = ModelCatalog.load(values.models ?? process.env.IOC_MODELS_DIR ?? DEFAULT_MODELS_DIRECTORY);
  await catalog.verify(values.model);
  const result = await evaluateDetector({
    imagesDirectory: values.images,
    labelsDirectory: values.labels,
    model: catalog.spec(values.model),
    threads: threadsOption(values.threads),
    unstretchAspect,
    ...(values['min-box'] === undefined ? {} : { minBoxSidePixels: numberOption(values['min-box'], 'min-box', { min: 0, max: 10_000 }) }),
    ...(values.score === undefined ? {} : { scoreThreshold: numberOption(values.score, 'score', { min: 0, max: 1 }) }),
    ...(values['precision-floor'] === undefined ? {} : { precisionFloor: numberOption(values['precision-floor'], 'precision-floor', { min: 0, max: 1 }) }),
    logger: pino({ level: 'warn' }, pino.destination(2)),
  });
  process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : `${JSON.stringify(result, null, 2)}\n`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const command = argv[0] ?? 'start';
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (command === 'analyze') return analyzeCommand(argv.slice(1));
  if (command === 'eval-detector') return evalDetectorCommand(argv.slice(1));
  // Needs no configuration: it only reads its inputs and writes the pack folder.
  if (command === 'build-site-pack') return buildSitePackCommand(argv.slice(1));
  if (command === 'import-dossiers') return importDossiersCommand(argv.slice(1));
  if (command === 'create-api-key') return createApiKeyCommand(argv.slice(1));
  if (command === 'create-user') return createUserCommand(argv.slice(1));
  if (command === 'list-users' || command === 'set-password' || command === 'disable-user' || command === 'enable-user') return manageUsersCommand(command, argv.slice(1));
  if (command === 'read-plates') return readPlatesCommand(argv.slice(1));
  if (command === 'report-daily') return reportDailyCommand(argv.slice(1));
  const config = loadConfig();
  const logger = createRootLogger(config.log.level);
  switch (command) {
    case 'check-config': {
      const printable = { ...config, database: { ...config.database, url: config.database.url ? '[set]' : undefined }, mqtt: { ...config.mqtt, url: config.mqtt.url ? '[set]' : undefined } };
      process.stdout.write(`${JSON.stringify(printable, null, 2)}\n`);
      return 0;
    }
    case 'migrate': {
      if (!config.database.url) throw new Error('ioc migrate needs DATABASE_URL (the embedded database is migrated by `ioc start`)');
      const pool = createPool(config.database.url, { max: 2 });
      try {
        const result = await migrate(pool, logger);
        process.stdout.write(`${JSON.stringify(result)}\n`);
      } finally {
        await pool.end();
      }
      return 0;
    }
    case 'ingest':
    case 'api':
      return await splitCommand(command, config, logger);
    case 'start': {
      const system = await startSystem(config, logger);
      process.stdout.write(`\nIOC is running: ${system.url}  (Ctrl+C to stop)\n\n`);
      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (signal: string) => {
          if (stopping) return;
          stopping = true;
          logger.info({ signal }, 'stopping: draining clients and flushing accepted data');
          void system.stop().then(resolve, resolve);
        };
        process.once('SIGINT', () => stop('SIGINT'));
        process.once('SIGTERM', () => stop('SIGTERM'));
      });
      return 0;
    }
    default:
      process.stderr.write(`unknown command "${command}"\n${USAGE}\n`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (isIocError(err)) process.stderr.write(`${err.code}: ${err.message}\n`);
    // node:util parseArgs (unknown option, missing or dash-led value): the operator's mistake, not a crash to trace.
    else if (err instanceof TypeError && String((err as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')) process.stderr.write(`IOC_ERR_VALIDATION: ${err.message}\n`);
    else process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
