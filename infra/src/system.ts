import { createHash } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { IocConfig, Site } from '@ioc/schemas';
import { AggregateRefresher, AlertRepository, AuditLog, BatchWriter, DeviceRepository, DossierRepository, FieldReportRepository, LocalBus, Open311ApiKeyRepository, ReadingRepository, ReviewRepository, TrafficFlowRepository, createPool, migrate, HashedFileStore, ViolationRepository, PlateSightingRepository, ViolationActionRepository } from '@ioc/store';
import { CameraService, DeviceRegistry, DossierIngest, createDossierIngestRouter, IncidentEngine, ModelCatalog, MqttSensorSource, SensorIngest, createReadingIngestRouter, teeTrafficFlows, PlateReader, ViolationRecorder, CrossingPlateReader, SignalControllerSource } from '@ioc/ingest';
import { LiveHub, PhotoStore, createAlertRouter, createCameraRouter, createDossierRouter, createFieldReportRouter, createOpen311Router, createReviewRouter, startApiServer, scrubUrlCredentials, type ApiServer, createViolationRouter, createPlateRouter, createPoliceRouter, PoliceGateway } from '@ioc/api';
import { startEmbeddedBroker } from './embedded/embedded-broker';
import { startEmbeddedPostgres } from './embedded/embedded-postgres';
import { DEMO_SITE, demoDevices } from './demo/site';
import { generateBackfill, startDemoFeeds } from './demo/feeds';
import { startDemoDossiers } from './demo/dossiers';
import { startDemoFieldReports } from './demo/field-reports';
import { readSitePackSite } from './site-pack/build-site-pack';
import { DailyReportScheduler } from './reports/daily-report';

/** The repository's models/ folder: manifest.json and the .onnx files `pnpm install` builds. */
export const MODELS_DIRECTORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../models');

export const WALL_DIST_DIRECTORY = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dashboards/wall/dist');

/** The site shown when no demo runs and no site pack is configured: Vietnam, whole. */
const DEFAULT_SITE: Site = { name: 'IOC', center: [105.8, 16.0], zoom: 5, districts: [] };

export interface RunningSystem {
  url: string;
  port: number;
  api: ApiServer;
  databaseUrl: string;
  brokerUrl: string;
  writer: BatchWriter;
  /** The in-process bus: what ingest announces (readings, device states, alerts) reaches the wall through it. */
  bus: LocalBus;
  stop(): Promise<void>;
}

/**
 * Starts the whole system in this process: the store (embedded PostgreSQL unless DATABASE_URL), the MQTT
 * broker (in-process unless MQTT_URL), sensor ingest, the API with the live wall, and the demo feeds.
 * Each part stops in reverse order on `stop()`: accepted data is flushed before the database goes away.
 */
export interface StartSystemOptions {
  wallDirectory?: string;
  /** Routers mounted first, before the system's own (tests and benchmarks: a camera directory without ONNX pipelines). */
  routers?: NonNullable<Parameters<typeof startApiServer>[0]['routers']>;
}

export async function startSystem(config: Readonly<IocConfig>, logger: Logger, options: StartSystemOptions = {}): Promise<RunningSystem> {
  const log = logger.child({ module: 'system' });
  const stops: Array<{ name: string; stop: () => Promise<void> | void }> = [];
  const dataDirectory = path.resolve(config.dataDir);

  const stopAll = async (): Promise<void> => {
    for (const { name, stop } of stops.reverse()) {
      try {
        await stop();
      } catch (err) {
        log.warn({ err, part: name }, 'error while stopping');
      }
    }
    stops.length = 0;
  };

  try {
    let databaseUrl = config.database.url;
    if (!databaseUrl) {
      const postgres = await startEmbeddedPostgres({ dataDir: dataDirectory, port: config.database.embeddedPort, logger });
      stops.push({ name: 'embedded PostgreSQL', stop: () => postgres.stop() });
      databaseUrl = postgres.url;
    }
    const pool = createPool(databaseUrl, { max: config.database.poolSize });
    stops.push({ name: 'database pool', stop: () => pool.end() });
    const migration = await migrate(pool, logger);
    log.info({ timescaledb: migration.timescaledb, applied: migration.applied }, 'database ready');

    let brokerUrl = config.mqtt.url;
    let brokerEmbedded = false;
    let brokerClientCount = (): number => 0;
    if (!brokerUrl) {
      const broker = await startEmbeddedBroker({ host: config.mqtt.embeddedHost, port: config.mqtt.embeddedPort, logger });
      stops.push({ name: 'embedded MQTT broker', stop: () => broker.close() });
      brokerUrl = broker.url;
      brokerEmbedded = true;
      brokerClientCount = () => broker.clientCount;
    }
    log.info({ broker: scrubUrlCredentials(brokerUrl), embedded: brokerEmbedded }, 'MQTT broker ready');
    void brokerClientCount;

    const writer = new BatchWriter({
      pool,
      outboxDir: path.join(dataDirectory, 'outbox'),
      maxBatchRows: config.writer.maxBatchRows,
      flushIntervalMs: config.writer.flushIntervalMs,
      retryIntervalMs: config.writer.retryIntervalMs,
      logger,
    });
    stops.push({ name: 'batch writer', stop: () => writer.close() });

    const deviceRepository = new DeviceRepository(pool);
    const readingRepository = new ReadingRepository(pool);
    let site = DEFAULT_SITE;
    const demo = config.demo.enabled;
    if (demo) {
      site = DEMO_SITE;
      const devices = demoDevices();
      await deviceRepository.upsert(devices);
      if (config.demo.backfillMinutes > 0) {
        const nowMs = Date.now();
        const latest = await readingRepository.latest();
        const newestMs = latest.reduce((max, reading) => Math.max(max, reading.observedAtMs), 0);
        const fromMs = Math.max(nowMs - config.demo.backfillMinutes * 60_000, newestMs + 1);
        if (fromMs < nowMs - 60_000) {
          const rows = generateBackfill({ devices, fromMs, toMs: nowMs, seed: 1 });
          await writer.writeReadings(rows);
          log.info({ rows: rows.length, minutes: Math.round((nowMs - fromMs) / 60_000) }, 'demo history generated');
        }
      }
    }

    // A site pack (basemap.kind geojson whose folder has a site.json) names the site, demo or not.
    const packSite = config.basemap.kind === 'geojson' && config.basemap.directory ? readSitePackSite(path.resolve(config.basemap.directory)) : undefined;
    if (packSite) {
      site = packSite;
      log.info({ site: site.name, districts: site.districts.length }, 'site from the site pack');
    }

    const bus = new LocalBus();
    stops.push({ name: 'bus', stop: () => bus.close() });
    const hub = new LiveHub(site, { historyMinutes: config.live.historyMinutes, replayBufferEvents: config.live.replayBufferEvents });
    // Subscribe before loading: events that arrive meanwhile are applied, and loading only moves values forward.
    bus.subscribe((message) => hub.receive(message));
    hub.load(await deviceRepository.list(), await readingRepository.latest(), await readingRepository.recent({ sinceMs: Date.now() - config.live.historyMinutes * 60_000 }));

    // Devices registered while running (by an operator or an import) appear on the wall within a minute.
    const deviceRefresh = setInterval(() => {
      deviceRepository.list().then(
        (devices) => devices.filter((device) => !hub.hasDevice(device.id)).forEach((device) => hub.upsertDevice(device)),
        (err: unknown) => log.warn({ err }, 'device refresh failed'),
      );
    }, 30_000);
    deviceRefresh.unref();
    stops.push({ name: 'device refresh', stop: () => clearInterval(deviceRefresh) });

    // Incidents (thresholds, devices offline, congestion) from what ingest announces on the bus.
    const alertRepository = new AlertRepository(pool);
    const incidents = new IncidentEngine({ alerts: alertRepository, bus, devices: deviceRepository, logger });
    await incidents.start((handler) => bus.subscribe(handler));
    stops.push({ name: 'incident engine', stop: () => incidents.stop() });

    const registry = new DeviceRegistry({ repository: deviceRepository, logger });
    await registry.refresh();
    const sensorIngest = new SensorIngest({ registry, writer, bus, deviceRepository, config, logger });
    stops.push({ name: 'sensor ingest', stop: () => sensorIngest.close() });
    // A persistent session under an id stable for this installation: QoS 1 readings sent while the subscriber is
    // away (this process restarting, or the broker restarting and the sensors reconnecting first) wait at the
    // broker instead of being dropped.
    const mqttSource = new MqttSensorSource({ brokerUrl, sensorIngest, writer, config, logger, clientId: sensorClientIdOf(config.dataDir), persistentSession: true });
    await mqttSource.start();
    stops.push({ name: 'MQTT sensor source', stop: () => mqttSource.close() });

    const refresher = new AggregateRefresher(pool, { intervalSeconds: config.database.aggregateRefreshSeconds, timescaledb: migration.timescaledb, logger });
    refresher.start();
    stops.push({ name: 'aggregate refresher', stop: () => refresher.stop() });

    // Violations found by the cameras: records with their Alerts, evidence files by sha256 (written once).
    const violationRepository = new ViolationRepository(pool);
    // The police console: actions on violations with their trail, the export, and the `/police` live namespace
    // (created once the API's socket.io server exists; actions taken before that have no one to tell).
    const policeLive: { gateway?: PoliceGateway } = {};
    const evidenceFiles = new HashedFileStore(path.resolve(config.evidence.directory ?? path.join(dataDirectory, 'evidence')));
    // Plate sightings for the trace: violators' plates, and vehicles crossing the lines of cameras that read plates.
    const plateSightings = new PlateSightingRepository(pool);
    // One plate reader for all cameras with rules; a reader that cannot load leaves plates empty, cameras still run.
    let plates: PlateReader | undefined;
    if (config.evidence.readPlates && config.cameras.some((camera) => camera.enabled && (ViolationRecorder.wanted(camera) || CrossingPlateReader.wanted(camera)))) {
      try {
        plates = await PlateReader.create({ logger });
        const reader = plates;
        stops.push({ name: 'plate reader', stop: () => reader.close() });
      } catch (err) {
        log.error({ err }, 'plate reader not loaded; violations are recorded without plates');
      }
    }

    // Signal groups fed by their controllers (MQTT, one topic per group) for the live red-light rules.
    const signalControllers = new SignalControllerSource({ brokerUrl: brokerUrl as string, cameras: config.cameras, logger, deadLetters: writer });
    if (signalControllers.topics.length > 0) {
      await signalControllers.start();
      stops.push({ name: 'signal controllers', stop: () => signalControllers.close() });
    }

    // Cameras: one pipeline each, inference on a shared pool of worker threads (one per core per model).
    const catalog = config.cameras.length > 0 ? ModelCatalog.load(config.vision.modelsDirectory ?? MODELS_DIRECTORY) : undefined;
    // A model whose file is missing or altered stops only the cameras that use it (each reports why).
    const unusableModels = new Map<string, unknown>();
    for (const name of new Set(config.cameras.filter((camera) => camera.enabled).map((camera) => camera.model))) {
      await catalog?.verify(name).catch((err: unknown) => unusableModels.set(name, err));
    }
    const cameras = new CameraService({
      cameras: config.cameras,
      resolveModel: (name) => {
        if (unusableModels.has(name)) throw unusableModels.get(name);
        return (catalog as ModelCatalog).spec(name);
      },
      flows: teeTrafficFlows(new TrafficFlowRepository(pool), incidents),
      devices: deviceRepository,
      bus,
      logger,
      threadsPerWorker: config.vision.threadsPerCamera,
      snapshotIntervalMs: config.vision.snapshotIntervalSeconds * 1000,
      violations: { sink: violationRepository, files: evidenceFiles, settings: config.evidence, bus, plates, sightings: plateSightings, signalFeeds: signalControllers },
    });
    await cameras.start();
    stops.push({ name: 'cameras', stop: () => cameras.stop() });

    const dossierRepository = new DossierRepository(pool);
    const fieldReports = new FieldReportRepository(pool, { districts: site.districts });
    // Reports stored before districts were kept, or under another site: placed once, at start.
    const placedReports = await fieldReports.assignMissingDistricts();
    if (placedReports > 0) log.info({ reports: placedReports }, 'field reports placed in their districts');
    const photos = new PhotoStore(path.join(dataDirectory, 'open311-media'));
    const reviews = new ReviewRepository(pool);
    const api = await startApiServer({
      config,
      logger,
      pool,
      hub,
      status: {
        databaseEmbedded: !config.database.url,
        outbox: () => {
          const depth = writer.depth();
          return { depthBatches: depth.batches, depthRows: depth.rows };
        },
        broker: () => ({ connected: mqttSource.connected, embedded: brokerEmbedded, url: brokerUrl as string }),
      },
      routers: [
        ...(options.routers ?? []),
        createReadingIngestRouter({ sensorIngest, bodyLimitBytes: config.server.bodyLimitBytes, logger }),
        createCameraRouter(cameras),
        // A full batch (10 000 events) is about 5 MiB: the webhook takes 8 MiB or the configured limit if larger.
        createDossierIngestRouter({ dossierIngest: new DossierIngest({ sink: dossierRepository, logger }), bodyLimitBytes: Math.max(config.server.bodyLimitBytes, 8 * 1024 * 1024), logger }),
        createDossierRouter(dossierRepository),
        createOpen311Router({ reports: fieldReports, apiKeys: new Open311ApiKeyRepository(pool), photos, bus, logger }),
        createFieldReportRouter({ reports: fieldReports, photos, bus, logger }),
        createAlertRouter(alertRepository),
        // Before the violation router: `/api/v1/violations/export.zip` is not a violation id.
        createPoliceRouter({ violations: violationRepository, actions: new ViolationActionRepository(pool), evidence: evidenceFiles, audit: new AuditLog(pool), onUpdated: (violation, entry) => policeLive.gateway?.updated(violation, entry) }),
        createViolationRouter({ violations: violationRepository, evidence: evidenceFiles, audit: new AuditLog(pool) }),
        createReviewRouter({ reviews, districts: site.districts }),
        createPlateRouter({ sightings: plateSightings, files: evidenceFiles, cameras, audit: new AuditLog(pool) }),
      ],
      wallDirectory: options.wallDirectory ?? WALL_DIST_DIRECTORY,
      metrics: { cameras: () => cameras.list(), writer: () => writer.stats() },
    });
    stops.push({ name: 'API server', stop: () => api.close() });
    const police = new PoliceGateway({ io: api.io, subscribe: (handler) => bus.subscribe(handler), violations: violationRepository, logger });
    policeLive.gateway = police;
    stops.push({ name: 'police gateway', stop: () => police.close() });

    if (config.reports.enabled) {
      const reports = new DailyReportScheduler({
        reviews,
        directory: path.resolve(config.reports.directory ?? path.join(dataDirectory, 'reports')),
        dailyAtHourVietnam: config.reports.dailyAtHourVietnam,
        districtNames: new Map(site.districts.map((district) => [district.code, district.name])),
        logger,
      });
      reports.start();
      stops.push({ name: 'daily reports', stop: () => reports.stop() });
    }

    if (demo) {
      const feeds = startDemoFeeds({ brokerUrl, devices: demoDevices(), logger });
      stops.push({ name: 'demo feeds', stop: () => feeds.stop() });
      const dossiers = startDemoDossiers({ sink: dossierRepository, logger });
      stops.push({ name: 'demo dossiers', stop: () => dossiers.stop() });
      const demoReports = startDemoFieldReports({ reports: fieldReports, bus, logger });
      stops.push({ name: 'demo field reports', stop: () => demoReports.stop() });
    }

    return { url: api.url, port: api.port, api, databaseUrl, brokerUrl, writer, bus, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * The sensor subscriber's MQTT client id in `ioc start`: the same for one installation (this host and data
 * directory) across restarts, so its persistent session is found again; different for two installations on one broker.
 */
export function sensorClientIdOf(dataDir: string, host: string = hostname()): string {
  return `ioc-sensors-${createHash('sha256').update(`${host}:${path.resolve(dataDir)}`).digest('hex').slice(0, 12)}`;
}
