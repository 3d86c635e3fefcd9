import path from 'node:path';
import type { Logger } from 'pino';
import { createAdapter } from '@socket.io/postgres-adapter';
import type { IocConfig, Site } from '@ioc/schemas';
import { AlertRepository, AuditLog, BatchWriter, DeviceRepository, DossierRepository, FieldReportRepository, HashedFileStore, MqttBus, Open311ApiKeyRepository, PlateSightingRepository, ReadingRepository, ReviewRepository, ViolationActionRepository, ViolationRepository, createPool, migrate } from '@ioc/store';
import { DeviceRegistry, DossierIngest, SensorIngest, createDossierIngestRouter, createReadingIngestRouter } from '@ioc/ingest';
import { LiveHub, PhotoStore, createAlertRouter, createCameraRouter, createDossierRouter, createFieldReportRouter, createOpen311Router, createReviewRouter, createViolationRouter, createPoliceRouter, createPlateRouter, PoliceGateway, startApiServer, type ApiServer } from '@ioc/api';
import { DEMO_SITE } from '../demo/site';
import { readSitePackSite } from '../site-pack/build-site-pack';
import { WALL_DIST_DIRECTORY } from '../system';
import { BusCameraDirectory } from './bus-camera-directory';
import { SnapshotCache } from './snapshot-relay';
import { Parts, requireSharedServices } from './parts';

export interface ApiNode {
  nodeId: string;
  api: ApiServer;
  url: string;
  stop(): Promise<void>;
}

/**
 * `ioc api`: one API node behind a load balancer, on the shared database and broker. Its LiveHub is fed by the
 * MQTT bus (every event ingest publishes reaches every node, so a wall client on any node sees all of them), and
 * socket.io broadcasts made on one node (io.emit / to(room).emit in any namespace) reach the clients of the
 * others through @socket.io/postgres-adapter (LISTEN/NOTIFY on the database already there; infra/README.md
 * says why not Redis). Readings and dossiers posted over HTTP are accepted here and written through this node's
 * own outbox.
 */
export async function startApiNode(config: Readonly<IocConfig>, logger: Logger, options: { nodeId: string; wallDirectory?: string }): Promise<ApiNode> {
  const log = logger.child({ module: 'api-node', nodeId: options.nodeId });
  const parts = new Parts(log);
  const { databaseUrl, brokerUrl } = requireSharedServices(config, 'api');
  const dataDirectory = path.resolve(config.dataDir);
  try {
    const pool = createPool(databaseUrl, { max: config.database.poolSize });
    parts.add('database pool', () => pool.end());
    await migrate(pool, logger);

    const writer = new BatchWriter({
      pool,
      outboxDir: path.join(dataDirectory, `outbox-${options.nodeId}`),
      maxBatchRows: config.writer.maxBatchRows,
      flushIntervalMs: config.writer.flushIntervalMs,
      retryIntervalMs: config.writer.retryIntervalMs,
      logger,
    });
    parts.add('batch writer', () => writer.close());

    let site: Site = config.demo.enabled ? DEMO_SITE : { name: 'IOC', center: [105.8, 16.0], zoom: 5, districts: [] };
    const packSite = config.basemap.kind === 'geojson' && config.basemap.directory ? readSitePackSite(path.resolve(config.basemap.directory)) : undefined;
    if (packSite) site = packSite;

    const bus = new MqttBus(brokerUrl, logger, `ioc-bus-${options.nodeId}`);
    parts.add('bus', () => bus.close());
    const deviceRepository = new DeviceRepository(pool);
    const readingRepository = new ReadingRepository(pool);
    const hub = new LiveHub(site, { historyMinutes: config.live.historyMinutes, replayBufferEvents: config.live.replayBufferEvents });
    // Subscribe before loading: events that arrive meanwhile are applied, and loading only moves values forward.
    const snapshots = new SnapshotCache({ brokerUrl, clientId: `ioc-snapshots-${options.nodeId}`, cameraIds: config.cameras.map((camera) => camera.id), logger });
    parts.add('snapshot cache', () => snapshots.close());
    const cameras = new BusCameraDirectory(config.cameras, Date.now, (cameraId) => snapshots.get(cameraId));
    bus.subscribe((message) => {
      hub.receive(message);
      cameras.receive(message);
    });
    hub.load(await deviceRepository.list(), await readingRepository.latest(), await readingRepository.recent({ sinceMs: Date.now() - config.live.historyMinutes * 60_000 }));
    const deviceRefresh = setInterval(() => {
      deviceRepository.list().then(
        (devices) => devices.filter((device) => !hub.hasDevice(device.id)).forEach((device) => hub.upsertDevice(device)),
        (err: unknown) => log.warn({ err }, 'device refresh failed'),
      );
    }, 30_000);
    deviceRefresh.unref();
    parts.add('device refresh', () => clearInterval(deviceRefresh));

    const registry = new DeviceRegistry({ repository: deviceRepository, logger });
    await registry.refresh();
    const sensorIngest = new SensorIngest({ registry, writer, bus, deviceRepository, config, logger });
    parts.add('sensor ingest', () => sensorIngest.close());

    const fieldReports = new FieldReportRepository(pool, { districts: site.districts });
    const photos = new PhotoStore(path.join(dataDirectory, 'open311-media'));
    const dossierRepository = new DossierRepository(pool);
    const evidenceFiles = new HashedFileStore(path.resolve(config.evidence.directory ?? path.join(dataDirectory, 'evidence')));
    const violationRepository = new ViolationRepository(pool);
    // The police console's gateway exists once the server does; actions before that have no one to tell.
    const policeLive: { gateway?: PoliceGateway } = {};
    const api = await startApiServer({
      config,
      logger,
      pool,
      hub,
      status: {
        databaseEmbedded: false,
        outbox: () => {
          const depth = writer.depth();
          return { depthBatches: depth.batches, depthRows: depth.rows };
        },
        broker: () => ({ connected: bus.connected, embedded: false, url: brokerUrl }),
      },
      routers: [
        createReadingIngestRouter({ sensorIngest, bodyLimitBytes: config.server.bodyLimitBytes, logger }),
        createCameraRouter(cameras),
        createDossierIngestRouter({ dossierIngest: new DossierIngest({ sink: dossierRepository, logger }), bodyLimitBytes: Math.max(config.server.bodyLimitBytes, 8 * 1024 * 1024), logger }),
        createDossierRouter(dossierRepository),
        createOpen311Router({ reports: fieldReports, apiKeys: new Open311ApiKeyRepository(pool), photos, bus, logger }),
        createFieldReportRouter({ reports: fieldReports, photos, bus, logger }),
        createAlertRouter(new AlertRepository(pool)),
        // Before the violation router: `/api/v1/violations/export.zip` is not a violation id.
        createPoliceRouter({ violations: violationRepository, actions: new ViolationActionRepository(pool), evidence: evidenceFiles, audit: new AuditLog(pool), onUpdated: (violation, entry) => policeLive.gateway?.updated(violation, entry) }),
        createViolationRouter({ violations: violationRepository, evidence: evidenceFiles, audit: new AuditLog(pool) }),
        createReviewRouter({ reviews: new ReviewRepository(pool), districts: site.districts }),
        createPlateRouter({ sightings: new PlateSightingRepository(pool), files: evidenceFiles, cameras, audit: new AuditLog(pool) }),
      ],
      wallDirectory: options.wallDirectory ?? WALL_DIST_DIRECTORY,
      metrics: { cameras: () => cameras.list(), writer: () => writer.stats() },
    });
    // Attached after the server exists: socket.io re-initialises the adapter of every namespace made so far, and
    // namespaces made later (e.g. /police) get it as they are created.
    api.io.adapter(createAdapter(pool, { errorHandler: (err) => log.warn({ err }, 'socket.io adapter error') }));
    parts.add('API server', () => api.close());
    // New violations reach every node over the MQTT bus; officers' actions go to the other nodes through the adapter.
    const police = new PoliceGateway({ io: api.io, subscribe: (handler) => bus.subscribe(handler), violations: violationRepository, logger, crossNode: true });
    policeLive.gateway = police;
    parts.add('police gateway', () => police.close());
    log.info({ url: api.url }, 'API node running');
    return { nodeId: options.nodeId, api, url: api.url, stop: () => parts.stopAll() };
  } catch (err) {
    await parts.stopAll();
    throw err;
  }
}
