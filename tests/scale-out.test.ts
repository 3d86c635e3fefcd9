import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import pino from 'pino';
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/postgres-adapter';
import { io as connectSocket, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { LiveEvent, WallClientToServerEvents, WallDeltaBatch, WallServerToClientEvents, WallSnapshot } from '@ioc/schemas';
import { createPool, migrate } from '@ioc/store';
import { CameraLeaseRepository, type LeaseHistoryRow } from '@ioc/store/leases';
import { createTestDatabase } from './setup/database';
import { signInAs, type SignedIn } from './setup/accounts';
import { spawnIoc, type IocProcess } from './setup/processes';
import { SHARED_DATA_DIRECTORY, sharedDataMissingReason } from './setup/shared-data';

/**
 * Scale-out with real processes: two `ioc ingest` workers and two `ioc api` nodes on one database and the
 * run's Mosquitto. Three cameras play real footage; the site duties (demo sensors) are a fourth leased unit.
 * One worker is killed with SIGKILL: its units move to the other within 15 s, and the lease history shows no
 * moment with two holders. One API node is killed: wall clients behind a small TCP balancer reconnect to the
 * other, resync from its snapshot, and keep receiving events.
 */
const CAMERA_IDS = ['cam-scale-a', 'cam-scale-b', 'cam-scale-c'];
const VIDEOS = ['vn-hanoi-pole-intersection.mp4', 'vn-hanoi-signal-cycle.mp4', 'parking-lot-topdown.mp4'];

/** The load balancer in front of the API nodes: each new connection goes to the first backend that accepts it. */
function startBalancer(backends: () => number[]): Promise<{ port: number; close: () => void }> {
  const server = net.createServer((client) => {
    const tryBackend = (candidates: number[]): void => {
      const port = candidates[0];
      if (port === undefined) {
        client.destroy();
        return;
      }
      const upstream = net.connect(port, '127.0.0.1');
      let connected = false;
      upstream.once('connect', () => {
        connected = true;
        client.pipe(upstream).pipe(client);
      });
      upstream.once('error', () => {
        // Refused (the node is down): the next backend; broken after connecting: the client sees it close.
        if (!connected) tryBackend(candidates.slice(1));
        else client.destroy();
      });
      client.once('error', () => upstream.destroy());
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => {
        if (connected) client.destroy();
      });
    };
    tryBackend(backends());
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as net.AddressInfo).port, close: () => server.close() })));
}

/**
 * A wall client as the wall runs one: snapshot over REST, then `/wall` from the snapshot's id; on `resync` (another
 * node, another epoch) a new snapshot and a new handshake. Reconnection is socket.io-client's own.
 */
class WallClient {
  readonly events: LiveEvent[] = [];
  resyncs = 0;
  readonly ready: Promise<void>;
  #socket: Socket<WallServerToClientEvents, WallClientToServerEvents> | undefined;

  constructor(baseUrl: string, staff: SignedIn) {
    const fetchSnapshot = async (): Promise<WallSnapshot> => (await (await fetch(`${baseUrl}/api/v1/wall/snapshot`, { headers: { cookie: staff.cookie } })).json()) as WallSnapshot;
    this.ready = fetchSnapshot().then((snapshot) => {
      let lastId = snapshot.lastEventId;
      const socket: Socket<WallServerToClientEvents, WallClientToServerEvents> = connectSocket(`${baseUrl}/wall`, {
        auth: (callback) => callback({ afterEventId: lastId }),
        transports: ['websocket'],
        reconnectionDelay: 200,
        reconnectionDelayMax: 1000,
        forceNew: true,
        extraHeaders: { cookie: staff.cookie },
      });
      socket.on('deltas', (batch: WallDeltaBatch) => {
        if (batch.afterEventId !== lastId) return;
        this.events.push(...batch.events);
        lastId = batch.id;
      });
      socket.on('resync', () => {
        this.resyncs += 1;
        // As the wall does (live/connection.ts): a new snapshot, then a new handshake from its id.
        void fetchSnapshot().then((fresh) => {
          lastId = fresh.lastEventId;
          socket.disconnect();
          socket.connect();
        }, () => undefined);
      });
      this.#socket = socket;
    });
  }

  close(): void {
    this.#socket?.close();
  }
}

/**
 * Walks the lease history of every unit in order: epochs only grow, and a unit is acquired only when nobody holds
 * it (released before) or its holder's lease had expired by the database's clock — never two holders at once.
 */
function expectOneHolderAtATime(history: LeaseHistoryRow[]): void {
  for (const unitId of [...CAMERA_IDS, '@site']) {
    let holder: { workerId: string; epoch: number } | undefined;
    let lastEpoch = 0;
    for (const row of history.filter((entry) => entry.unitId === unitId)) {
      if (row.event === 'acquired') {
        expect(row.epoch, `${unitId} epoch`).toBeGreaterThan(lastEpoch);
        lastEpoch = row.epoch;
        if (holder) {
          // Taken over without a release: the previous holder's lease had run out first.
          expect(row.previousWorkerId, `${unitId} taken from`).toBe(holder.workerId);
          expect(row.previousExpiresAtMs as number, `${unitId} previous expiry`).toBeLessThanOrEqual(row.atMs);
        }
        holder = { workerId: row.workerId, epoch: row.epoch };
      } else if (holder && row.workerId === holder.workerId && row.epoch === holder.epoch) {
        holder = undefined;
      }
    }
    expect(lastEpoch, `${unitId} was held`).toBeGreaterThan(0);
  }
}

describe.skipIf(sharedDataMissingReason !== undefined)(`scale-out: 2 ingest workers + 2 API nodes ${sharedDataMissingReason ?? ''}`, () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let pool: pg.Pool;
  const processes: IocProcess[] = [];
  const directories: string[] = [];
  let apiUrls: string[] = [];
  let apiPorts: number[] = [];
  let staff: SignedIn;

  const config = (): Record<string, unknown> => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'ioc-scale-'));
    directories.push(dataDir);
    return {
      dataDir,
      server: { host: '127.0.0.1', port: 0 },
      demo: { enabled: true, backfillMinutes: 0 },
      log: { level: 'info' },
      vision: { snapshotIntervalSeconds: 5, threadsPerCamera: 1 },
      evidence: { readPlates: false },
      reports: { enabled: false },
      cameras: CAMERA_IDS.map((id, index) => ({
        id,
        name: `Camera ${id}`,
        source: { url: path.join(SHARED_DATA_DIRECTORY, 'video', VIDEOS[index] as string), loop: true, realtime: true },
        analysisFps: 2,
        lines: [{ id: 'line', points: [[0, 0.75], [1, 0.75]] }],
        location: { type: 'Point', coordinates: [105.85 + index / 100, 21.03] },
      })),
    };
  };

  const leaseRows = async (): Promise<Array<{ camera_id: string; worker_id: string | null; epoch: string; live: boolean }>> =>
    (await pool.query('SELECT camera_id, worker_id, epoch, (expires_at > now()) AS live FROM camera_leases ORDER BY camera_id')).rows;

  beforeAll(async () => {
    database = await createTestDatabase(inject('databaseAdminUrl'), 'scale_out');
    pool = createPool(database.url, { max: 4 });
    await migrate(pool, pino({ level: 'silent' }));
    const env = { DATABASE_URL: database.url, MQTT_URL: inject('mosquittoUrl') };
    for (const name of ['ingest-1', 'ingest-2']) processes.push(spawnIoc('ingest', { name, config: config(), env: { ...env, IOC_NODE_ID: name } }));
    for (const name of ['api-1', 'api-2']) processes.push(spawnIoc('api', { name, config: config(), env: { ...env, IOC_NODE_ID: name } }));
    apiUrls = await Promise.all(processes.slice(2).map((process) => process.waitForUrl(120_000)));
    apiPorts = apiUrls.map((url) => Number(new URL(url).port));
    staff = await signInAs(apiUrls[0] as string, database.url, 'admin');
  }, 180_000);

  afterAll(async () => {
    await Promise.all(processes.map((process) => process.kill('SIGTERM')));
    await pool?.end();
    await database?.drop();
    for (const directory of directories) rmSync(directory, { recursive: true, force: true });
  }, 60_000);

  it('shares the cameras and the site duties between the workers, one holder each', async () => {
    await expect
      .poll(async () => {
        const rows = await leaseRows();
        const holders = new Set(rows.filter((row) => row.live).map((row) => row.worker_id));
        return rows.length === 4 && rows.every((row) => row.live && row.worker_id) && holders.size === 2;
      }, { timeout: 90_000, interval: 1000 })
      .toBe(true);
  }, 120_000);

  it('serves every camera\'s annotated snapshot from each API node, though the workers draw them', async () => {
    for (const url of apiUrls) {
      for (const id of CAMERA_IDS) {
        await expect
          .poll(async () => {
            const response = await fetch(`${url}/api/v1/cameras/${id}/snapshot.jpg`, { headers: { cookie: staff.cookie } });
            const bytes = Buffer.from(await response.arrayBuffer());
            return `${response.status} ${response.headers.get('content-type')} ${bytes.subarray(0, 3).toString('hex')} ${bytes.length > 10_000}`;
          }, { timeout: 90_000, interval: 1000 })
          .toBe('200 image/jpeg ffd8ff true');
      }
    }
  }, 200_000);

  it('moves a killed worker\'s cameras to the other within 15 s, never two analysers at once, refuses its stale writes', async () => {
    const clients = apiUrls.map((url) => new WallClient(url, staff));
    await Promise.all(clients.map((client) => client.ready));
    try {
      // Every camera analysed (health with frames) and seen by the clients of both nodes.
      for (const client of clients) {
        await expect
          .poll(() => new Set(client.events.flatMap((event) => (event.type === 'camera.health' && event.health.framesAnalysed > 0 ? [event.health.cameraId] : []))).size, { timeout: 120_000, interval: 1000 })
          .toBe(3);
      }
      const before = await leaseRows();
      const counts = new Map<string, number>();
      for (const row of before) counts.set(row.worker_id as string, (counts.get(row.worker_id as string) ?? 0) + 1);
      const victimId = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] as string;
      const survivorId = victimId === 'ingest-1' ? 'ingest-2' : 'ingest-1';
      const victimUnits = before.filter((row) => row.worker_id === victimId).map((row) => ({ unitId: row.camera_id, epoch: Number(row.epoch) }));
      const victim = processes.find((process) => process.name === victimId) as IocProcess;
      const killedAtMs = (await pool.query<{ now: Date }>('SELECT now()')).rows[0]?.now.getTime() as number;
      await victim.kill('SIGKILL');

      await expect
        .poll(async () => (await leaseRows()).every((row) => row.worker_id === survivorId && row.live), { timeout: 30_000, interval: 500 })
        .toBe(true);
      const repository = new CameraLeaseRepository(pool, { ttlMs: 10_000 });
      const history = await repository.history();
      for (const unit of victimUnits) {
        const takeover = history.find((row) => row.unitId === unit.unitId && row.event === 'acquired' && row.workerId === survivorId && row.epoch > unit.epoch);
        expect(takeover, `takeover of ${unit.unitId}`).toBeDefined();
        // Within 15 s of the kill, by the database's clock.
        expect((takeover?.atMs as number) - killedAtMs).toBeLessThanOrEqual(15_000);
        // Never two holders: the previous lease had expired (or was released) when the new one began.
        expect(takeover?.previousWorkerId).toBe(victimId);
        expect(takeover?.previousExpiresAtMs as number).toBeLessThanOrEqual(takeover?.atMs as number);
      }
      expectOneHolderAtATime(history);

      // The dead worker's fencing token is refused by the store: nothing written.
      const stale = victimUnits.find((unit) => unit.unitId !== '@site') as { unitId: string; epoch: number };
      let wrote = false;
      await expect(repository.withFence({ unitId: stale.unitId, workerId: victimId, epoch: stale.epoch }, async () => { wrote = true; })).rejects.toMatchObject({ code: 'IOC_ERR_INVALID_TRANSITION' });
      expect(wrote).toBe(false);

      // Its cameras are analysed again: fresh health with frames, on the clients of both nodes.
      const afterTakeoverMs = Date.now();
      for (const client of clients) {
        await expect
          .poll(() => new Set(client.events.flatMap((event) => (event.type === 'camera.health' && event.health.framesAnalysed > 0 && (event.health.lastFrameAtMs ?? 0) > afterTakeoverMs ? [event.health.cameraId] : []))).size, { timeout: 90_000, interval: 1000 })
          .toBe(3);
      }

      // Each API node lists the cameras from what their workers announce: all online again.
      for (const url of apiUrls) {
        await expect
          .poll(async () => ((await (await fetch(`${url}/api/v1/cameras`, { headers: { cookie: staff.cookie } })).json()) as { cameras: Array<{ id: string; state: string }> }).cameras.map((camera) => `${camera.id}:${camera.state}`), { timeout: 60_000, interval: 1000 })
          .toEqual(CAMERA_IDS.map((id) => `${id}:online`));
      }

      // Stored rows: one row per camera, line, direction, type and minute.
      const duplicates = await pool.query(
        `SELECT device_id, lane_id, direction, vehicle_class, date_observed_from, count(*) FROM traffic_flow_observed
          GROUP BY 1, 2, 3, 4, 5 HAVING count(*) > 1`,
      );
      expect(duplicates.rows).toEqual([]);
    } finally {
      for (const client of clients) client.close();
    }
  }, 300_000);

  it('keeps wall clients receiving events when the API node they use is killed', async () => {
    const order = [...apiPorts];
    const balancer = await startBalancer(() => order);
    const base = `http://127.0.0.1:${balancer.port}`;
    const clients = [new WallClient(base, staff), new WallClient(base, staff)];
    try {
      await Promise.all(clients.map((client) => client.ready));
      for (const client of clients) await expect.poll(() => client.events.length, { timeout: 60_000, interval: 500 }).toBeGreaterThan(0);
      // Every connection went to the first node; kill it.
      const first = processes.find((process) => process.name === 'api-1') as IocProcess;
      await first.kill('SIGKILL');
      const seen = clients.map((client) => client.events.length);
      for (const [index, client] of clients.entries()) {
        await expect.poll(() => client.resyncs, { timeout: 60_000, interval: 500 }).toBeGreaterThanOrEqual(1);
        await expect.poll(() => client.events.length, { timeout: 60_000, interval: 500 }).toBeGreaterThan(seen[index] as number);
      }
    } finally {
      for (const client of clients) client.close();
      balancer.close();
    }
  }, 180_000);

  it('gives a new worker its share: the holder stops and releases first, the newcomer acquires after', async () => {
    const survivor = processes.find((process) => process.name.startsWith('ingest') && process.running) as IocProcess;
    const newcomer = spawnIoc('ingest', { name: 'ingest-3', config: config(), env: { DATABASE_URL: database.url, MQTT_URL: inject('mosquittoUrl'), IOC_NODE_ID: 'ingest-3' } });
    processes.push(newcomer);
    await expect
      .poll(async () => {
        const rows = await leaseRows();
        const byWorker = new Map<string, number>();
        for (const row of rows) if (row.live && row.worker_id) byWorker.set(row.worker_id, (byWorker.get(row.worker_id) ?? 0) + 1);
        return byWorker.get('ingest-3') === 2 && byWorker.get(survivor.name) === 2;
      }, { timeout: 120_000, interval: 1000 })
      .toBe(true);
    const history = await new CameraLeaseRepository(pool, { ttlMs: 10_000 }).history();
    const handedOver = history.filter((row) => row.workerId === 'ingest-3' && row.event === 'acquired');
    expect(handedOver).toHaveLength(2);
    // Handed over by release, not by expiry: the unit was free when the newcomer took it.
    for (const row of handedOver) {
      expect(row.previousWorkerId).toBeNull();
      expect(history.some((entry) => entry.unitId === row.unitId && entry.workerId === survivor.name && entry.event === 'released' && entry.atMs <= row.atMs)).toBe(true);
    }
    expectOneHolderAtATime(history);
  }, 180_000);

  it('carries socket.io broadcasts between nodes through the PostgreSQL adapter (any namespace)', async () => {
    const servers = [0, 1].map(() => {
      const http = createServer();
      const io = new Server(http);
      io.adapter(createAdapter(pool));
      return { http, io };
    });
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.http.listen(0, '127.0.0.1', () => resolve()))));
    const ports = servers.map((server) => (server.http.address() as net.AddressInfo).port);
    const received: string[] = [];
    const client = connectSocket(`http://127.0.0.1:${ports[1]}/police`, { transports: ['websocket'], forceNew: true });
    try {
      servers[1]?.io.of('/police');
      await new Promise<void>((resolve) => client.once('connect', () => resolve()));
      client.on('alert', (text: string) => received.push(text));
      // Large enough to go through the attachments table (NOTIFY carries at most 8 000 bytes).
      const large = 'ư'.repeat(6000);
      await expect
        .poll(() => {
          servers[0]?.io.of('/police').emit('alert', 'từ nút 1');
          return received.includes('từ nút 1');
        }, { timeout: 20_000, interval: 500 })
        .toBe(true);
      servers[0]?.io.of('/police').emit('alert', large);
      await expect.poll(() => received.includes(large), { timeout: 20_000, interval: 250 }).toBe(true);
    } finally {
      client.close();
      for (const server of servers) await new Promise<void>((resolve) => server.io.close(() => resolve()));
    }
  }, 60_000);
});
