import path from 'node:path';
import type { Logger } from 'pino';
import { iocError, type IocConfig, type TrafficFlowObserved } from '@ioc/schemas';
import { AggregateRefresher, AlertRepository, BatchWriter, DeviceRepository, DossierRepository, FieldReportRepository, HashedFileStore, MqttBus, PlateSightingRepository, ReviewRepository, TrafficFlowRepository, ViolationRepository, createPool, migrate } from '@ioc/store';
import { CameraLeaseRepository, DEFAULT_LEASE_TIMINGS, type LeaseFence, type LeaseTimings } from '@ioc/store/leases';
import { CameraService, CrossingPlateReader, DeviceRegistry, IncidentEngine, ModelCatalog, MqttSensorSource, PlateReader, SensorIngest, SignalControllerSource, ViolationRecorder, type ViolationSink } from '@ioc/ingest';
import { DEMO_SITE, demoDevices } from '../demo/site';
import { startDemoFeeds } from '../demo/feeds';
import { startDemoDossiers } from '../demo/dossiers';
import { startDemoFieldReports } from '../demo/field-reports';
import { readSitePackSite } from '../site-pack/build-site-pack';
import { DailyReportScheduler } from '../reports/daily-report';
import { MODELS_DIRECTORY } from '../system';
import { Parts, requireSharedServices } from './parts';
import { UnitLeaser } from './unit-leaser';
import { SnapshotPublisher } from './snapshot-relay';

/** The lease unit for the duties one worker in the whole deployment runs: sensors, incidents, aggregates, reports, demo. */
export const SITE_UNIT = '@site';

export interface IngestNode {
  workerId: string;
  leaser: UnitLeaser;
  stop(): Promise<void>;
}

/**
 * `ioc ingest`: one ingest worker beside others, on the shared database and broker. Cameras are leased (see
 * @ioc/store/leases): this worker runs only the cameras it holds, and writes their minute rows only under the
 * lease's fencing token. The site-wide duties are one more leased unit, so exactly one worker runs them and
 * another takes them over when it dies. Live events go out on the MQTT bus to the API nodes.
 */
export async function startIngestNode(config: Readonly<IocConfig>, logger: Logger, options: { workerId: string; timings?: LeaseTimings }): Promise<IngestNode> {
  const { workerId } = options;
  const log = logger.child({ module: 'ingest-node', workerId });
  const parts = new Parts(log);
  const { databaseUrl, brokerUrl } = requireSharedServices(config, 'ingest');
  const dataDirectory = path.resolve(config.dataDir);
  try {
    const pool = createPool(databaseUrl, { max: config.database.poolSize });
    parts.add('database pool', () => pool.end());
    const migration = await migrate(pool, logger);

    const bus = new MqttBus(brokerUrl, logger, `ioc-bus-${workerId}`);
    parts.add('bus', () => bus.close());
    // Each worker has its own outbox: what it accepted while the database was away is replayed by it.
    const writer = new BatchWriter({
      pool,
      outboxDir: path.join(dataDirectory, `outbox-${workerId}`),
      maxBatchRows: config.writer.maxBatchRows,
      flushIntervalMs: config.writer.flushIntervalMs,
      retryIntervalMs: config.writer.retryIntervalMs,
      logger,
    });
    parts.add('batch writer', () => writer.close());

    const deviceRepository = new DeviceRepository(pool);
    const flowRepository = new TrafficFlowRepository(pool);
    const leases = new CameraLeaseRepository(pool, { ttlMs: (options.timings ?? DEFAULT_LEASE_TIMINGS).ttlMs });

    const violationRepository = new ViolationRepository(pool);
    // Violations are written under the camera's lease like its minute rows: a worker whose lease was taken over
    // (paused, partitioned) cannot add a case after the new holder started; its write is refused, nothing stored.
    const fences = new Map<string, LeaseFence>();
    const fencedViolations: ViolationSink = {
      record: (violation) => {
        const fence = fences.get(violation.record.cameraId);
        if (!fence) return Promise.reject(iocError('IOC_ERR_INVALID_TRANSITION', `camera ${violation.record.cameraId} is not leased by ${workerId}; the violation was not stored`));
        return leases.withFence(fence, (client) => violationRepository.record(violation, client));
      },
    };
    const evidenceFiles = new HashedFileStore(path.resolve(config.evidence.directory ?? path.join(dataDirectory, 'evidence')));
    // Plate sightings for the trace: violators' plates, and vehicles crossing the lines of cameras that read plates.
    const plateSightings = new PlateSightingRepository(pool);
    let plates: PlateReader | undefined;
    if (config.evidence.readPlates && config.cameras.some((camera) => camera.enabled && (ViolationRecorder.wanted(camera) || CrossingPlateReader.wanted(camera)))) {
      try {
        plates = await PlateReader.create({ logger });
        const reader = plates;
        parts.add('plate reader', () => reader.close());
      } catch (err) {
        log.error({ err }, 'plate reader not loaded; violations are recorded without plates');
      }
    }
    const signalControllers = new SignalControllerSource({ brokerUrl, cameras: config.cameras, logger, deadLetters: writer });
    if (signalControllers.topics.length > 0) {
      await signalControllers.start();
      parts.add('signal controllers', () => signalControllers.close());
    }
    const catalog = config.cameras.length > 0 ? ModelCatalog.load(config.vision.modelsDirectory ?? MODELS_DIRECTORY) : undefined;
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
      flows: { writeTrafficFlows: () => Promise.reject(new Error('split mode writes flows only under a camera lease')) },
      devices: deviceRepository,
      bus,
      logger,
      threadsPerWorker: config.vision.threadsPerCamera,
      snapshotIntervalMs: config.vision.snapshotIntervalSeconds * 1000,
      violations: { sink: fencedViolations, files: evidenceFiles, settings: config.evidence, bus, plates, sightings: plateSightings, signalFeeds: signalControllers },
    });
    parts.add('cameras', () => cameras.stop());
    // API nodes serve the snapshots of cameras they do not run: each new one goes to the broker, retained.
    const snapshots = new SnapshotPublisher({ brokerUrl, clientId: `ioc-snapshots-${workerId}`, source: cameras, intervalMs: Math.min(1000, config.vision.snapshotIntervalSeconds * 1000), logger });
    parts.add('snapshot publisher', () => snapshots.close());

    const site = startSiteDuties({ config, logger, pool, bus, writer, deviceRepository, brokerUrl, dataDirectory, workerId, timescaledb: migration.timescaledb });

    const leaser = new UnitLeaser({
      repository: leases,
      workerId,
      unitIds: [SITE_UNIT, ...config.cameras.filter((camera) => camera.enabled).map((camera) => camera.id)],
      timings: options.timings,
      logger,
      start: async (unitId, lease) => {
        if (unitId === SITE_UNIT) {
          await site.start();
          return;
        }
        const fence = { unitId, workerId, epoch: lease.epoch };
        fences.set(unitId, fence);
        const started = await cameras.startCamera(unitId, {
          writeTrafficFlows: async (rows: TrafficFlowObserved[]) => {
            await leases.withFence(fence, (client) => flowRepository.writeTrafficFlows(rows, client));
            // To the incident engine of whichever worker holds '@site' (maybe this one): it subscribes to the bus.
            if (rows.length > 0) bus.publish({ kind: 'trafficFlows', rows });
          },
        });
        if (!started) log.warn({ cameraId: unitId }, 'camera leased but not started (see the camera log line)');
      },
      stop: async (unitId) => {
        if (unitId === SITE_UNIT) {
          await site.stop();
          return;
        }
        await cameras.stopCamera(unitId);
        fences.delete(unitId);
      },
    });
    await leaser.start();
    parts.add('leases', () => leaser.close());
    log.info({ cameras: config.cameras.filter((camera) => camera.enabled).length, held: leaser.held }, 'ingest worker running');
    return { workerId, leaser, stop: () => parts.stopAll() };
  } catch (err) {
    await parts.stopAll();
    throw err;
  }
}

interface SiteDutiesOptions {
  config: Readonly<IocConfig>;
  logger: Logger;
  pool: ReturnType<typeof createPool>;
  bus: MqttBus;
  writer: BatchWriter;
  deviceRepository: DeviceRepository;
  brokerUrl: string;
  dataDirectory: string;
  workerId: string;
  timescaledb: boolean;
}

/** What one worker of the deployment runs while it holds '@site'; stopped when the lease goes. */
function startSiteDuties(options: SiteDutiesOptions): { start: () => Promise<IncidentEngine>; stop: () => Promise<void> } {
  const { config, logger, pool, bus, writer, deviceRepository, brokerUrl, dataDirectory } = options;
  let parts: Parts | undefined;
  return {
    start: async () => {
      const running = new Parts(logger.child({ module: 'site-duties' }));
      parts = running;
      try {
        let site = config.demo.enabled ? DEMO_SITE : undefined;
        if (config.demo.enabled) await deviceRepository.upsert(demoDevices());
        const packSite = config.basemap.kind === 'geojson' && config.basemap.directory ? readSitePackSite(path.resolve(config.basemap.directory)) : undefined;
        if (packSite) site = packSite;
        const incidents = new IncidentEngine({ alerts: new AlertRepository(pool), bus, devices: deviceRepository, logger });
        await incidents.start((handler) => bus.subscribe(handler));
        running.add('incident engine', () => incidents.stop());
        const registry = new DeviceRegistry({ repository: deviceRepository, logger });
        await registry.refresh();
        const sensorIngest = new SensorIngest({ registry, writer, bus, deviceRepository, config, logger });
        running.add('sensor ingest', () => sensorIngest.close());
        // A fixed client id with a persistent session: readings sent while '@site' moves between workers wait
        // at the broker (QoS 1) for the next holder instead of being dropped.
        const mqttSource = new MqttSensorSource({ brokerUrl, sensorIngest, writer, config, logger, clientId: 'ioc-ingest-site-sensors', persistentSession: true });
        await mqttSource.start();
        running.add('MQTT sensor source', () => mqttSource.close());
        const refresher = new AggregateRefresher(pool, { intervalSeconds: config.database.aggregateRefreshSeconds, timescaledb: options.timescaledb, logger });
        refresher.start();
        running.add('aggregate refresher', () => refresher.stop());
        if (config.reports.enabled) {
          const reports = new DailyReportScheduler({
            reviews: new ReviewRepository(pool),
            directory: path.resolve(config.reports.directory ?? path.join(dataDirectory, 'reports')),
            dailyAtHourVietnam: config.reports.dailyAtHourVietnam,
            districtNames: new Map((site?.districts ?? []).map((district) => [district.code, district.name])),
            logger,
          });
          reports.start();
          running.add('daily reports', () => reports.stop());
        }
        if (config.demo.enabled) {
          const feeds = startDemoFeeds({ brokerUrl, devices: demoDevices(), logger });
          running.add('demo feeds', () => feeds.stop());
          const dossiers = startDemoDossiers({ sink: new DossierRepository(pool), logger });
          running.add('demo dossiers', () => dossiers.stop());
          const fieldReports = new FieldReportRepository(pool, { districts: site?.districts ?? [] });
          const demoReports = startDemoFieldReports({ reports: fieldReports, bus, logger });
          running.add('demo field reports', () => demoReports.stop());
        }
        return incidents;
      } catch (err) {
        await running.stopAll();
        parts = undefined;
        throw err;
      }
    },
    stop: async () => {
      await parts?.stopAll();
      parts = undefined;
    },
  };
}
