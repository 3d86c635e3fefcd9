import { apiFetch } from '../session';
import { io, type Socket } from 'socket.io-client';
import type { WallClientToServerEvents, WallHandshakeAuth, WallDeltaBatch, WallServerToClientEvents, WallSnapshot } from '@ioc/schemas';
import { applyDeltaBatch, applySnapshot, isStale, markConnection, requestResync, type ResyncReason } from '../state/wall-state';
import { Backoff } from './backoff';
import { DEFAULT_WALL_CONFIG, parseWallConfig, type WallConfig } from './config';
import type { WallStore } from './store';

type WallSocket = Socket<WallServerToClientEvents, WallClientToServerEvents>;

const SNAPSHOT_URL = '/api/v1/wall/snapshot';
const CONFIG_URL = '/api/v1/wall/config';
/** A device unknown to our snapshot is worth a new snapshot, but not more often than this. */
const UNKNOWN_DEVICE_SNAPSHOT_INTERVAL_MS = 30_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The wall's link to the API: a REST snapshot naming its last event id, then socket.io `/wall` deltas after that
 * id (handshake `auth.afterEventId`). On the server's `resync`, a gap or another epoch it takes a new snapshot
 * and repositions the socket; on `goingAway` it reconnects after the delay the server asks for; otherwise
 * socket.io's own reconnection (with backoff) brings it back, resuming from the last applied id.
 */
export class WallConnection {
  readonly #store: WallStore;
  #config: WallConfig = DEFAULT_WALL_CONFIG;
  #socket: WallSocket | undefined;
  readonly #backoff = new Backoff(500, 15_000);
  #resyncing: Promise<void> | undefined;
  /** While the server moves our cursor after a snapshot, a batch cut for the old position is not a gap. */
  #repositioning = false;
  #watchdog: ReturnType<typeof setInterval> | undefined;
  #stopped = false;
  readonly #batchListeners = new Set<(batch: WallDeltaBatch) => void>();

  constructor(store: WallStore) {
    this.#store = store;
  }

  /**
   * Every delta batch as it arrives, after the store applied it (field reports and incidents follow their
   * alerts here: the store keeps only the latest alerts, which violations push out within a frame).
   */
  onBatch(listener: (batch: WallDeltaBatch) => void): () => void {
    this.#batchListeners.add(listener);
    return () => this.#batchListeners.delete(listener);
  }

  get config(): WallConfig {
    return this.#config;
  }

  get staleAfterMs(): number {
    return this.#config.staleAfterSeconds * 1000;
  }

  /** Resolves once the first snapshot is in the store (retrying until it is); the socket follows. */
  async start(): Promise<WallConfig> {
    this.#config = await this.#loadConfig();
    await this.#takeSnapshot();
    if (this.#stopped) return this.#config;
    this.#connect();
    this.#watchdog = setInterval(() => this.#check(), 1000);
    return this.#config;
  }

  stop(): void {
    this.#stopped = true;
    if (this.#watchdog) clearInterval(this.#watchdog);
    this.#socket?.disconnect();
    this.#socket = undefined;
  }

  async #loadConfig(): Promise<WallConfig> {
    try {
      const response = await fetch(CONFIG_URL, { cache: 'no-store' });
      if (response.ok) return parseWallConfig(await response.json());
    } catch {
      // The snapshot loop below reports the outage; the defaults are fine meanwhile.
    }
    return DEFAULT_WALL_CONFIG;
  }

  /** Fetches snapshots until one arrives, marking the wall offline when that takes too long. */
  async #takeSnapshot(): Promise<void> {
    const startedMs = Date.now();
    const backoff = new Backoff(500, 10_000);
    while (!this.#stopped) {
      try {
        const response = await apiFetch(SNAPSHOT_URL, { cache: 'no-store', headers: { accept: 'application/json' } });
        if (!response.ok) throw new Error(`snapshot: HTTP ${response.status}`);
        const snapshot = (await response.json()) as WallSnapshot;
        this.#store.update((state) => applySnapshot(state, snapshot, Date.now()));
        return;
      } catch {
        if (Date.now() - startedMs > this.staleAfterMs) this.#store.update((state) => markConnection(state, 'offline', Date.now()));
        await sleep(backoff.next());
      }
    }
  }

  #connect(): void {
    const socket: WallSocket = io('/wall', {
      // A function, so every reconnection resumes from what the wall has applied by then.
      auth: (callback) => callback({ afterEventId: this.#store.state.lastEventId } satisfies WallHandshakeAuth),
      transports: ['websocket', 'polling'],
      reconnectionDelay: 500,
      reconnectionDelayMax: 10_000,
      randomizationFactor: 0.5,
    });
    this.#socket = socket;

    socket.on('connect', () => {
      this.#backoff.reset();
      this.#repositioning = false;
      this.#store.update((state) => markConnection({ ...state, lastMessageAtMs: Date.now() }, 'live', Date.now()));
    });
    socket.on('disconnect', (reason) => {
      // Our own disconnects are followed by an immediate connect (resync, silent link) or by stop().
      if (this.#stopped || reason === 'io client disconnect') return;
      this.#store.update((state) => markConnection(state, 'reconnecting', Date.now()));
      // socket.io reconnects by itself except after a server-side disconnect (resync, goingAway, drain).
      if (reason === 'io server disconnect' && !this.#resyncing) this.#reconnectLater(this.#backoff.next());
    });
    socket.on('connect_error', () => {
      this.#store.update((state) => markConnection(state, state.status === 'offline' ? 'offline' : 'reconnecting', Date.now()));
    });
    socket.on('deltas', (batch) => {
      const state = this.#store.update((current) => applyDeltaBatch(current, batch, Date.now(), { dropGaps: this.#repositioning }));
      for (const listener of this.#batchListeners) listener(batch);
      if (state.needsResync) void this.resync(state.needsResync);
      else if (state.unknownDeviceSeen && Date.now() - (state.snapshotAtMs ?? 0) > UNKNOWN_DEVICE_SNAPSHOT_INTERVAL_MS) void this.resync('unknownDevice');
    });
    socket.on('resync', () => {
      this.#store.update((state) => requestResync(state, 'server'));
      void this.resync('server');
    });
    socket.on('goingAway', (message) => {
      // The server disconnects us next; come back after the delay it asked for (plus jitter), elsewhere maybe.
      this.#reconnectLater(message.reconnectAfterMs + Math.round(Math.random() * 500));
    });
  }

  #reconnectLater(delayMs: number): void {
    setTimeout(() => {
      if (!this.#stopped && this.#socket && !this.#socket.connected) this.#socket.connect();
    }, delayMs);
  }

  /** A new snapshot, then the socket positioned after it: by `resume` when the server still follows us, else by reconnecting. */
  resync(reason: ResyncReason): Promise<void> {
    this.#resyncing ??= (async () => {
      try {
        this.#store.update((state) => requestResync(state, reason));
        await this.#takeSnapshot();
        const socket = this.#socket;
        if (!socket || this.#stopped) return;
        const afterEventId = this.#store.state.lastEventId;
        if (socket.connected && afterEventId && reason !== 'server' && reason !== 'epoch') {
          this.#repositioning = true;
          try {
            const result = await socket.timeout(5000).emitWithAck('resume', afterEventId);
            if (result.ok) return;
          } catch {
            // No answer: fall through to a reconnection.
          } finally {
            this.#repositioning = false;
          }
        }
        // The handshake carries the new snapshot's id (auth is read on every connection).
        socket.disconnect();
        socket.connect();
      } finally {
        this.#resyncing = undefined;
      }
    })();
    return this.#resyncing;
  }

  /** Once a second: offline after a long outage; a link silent (no heartbeat) for twice the stale limit is reopened. */
  #check(): void {
    const nowMs = Date.now();
    const state = this.#store.state;
    const socket = this.#socket;
    if (!socket) return;
    if (!socket.connected && state.status === 'reconnecting' && nowMs - state.statusSinceMs > this.staleAfterMs) {
      this.#store.update((current) => markConnection(current, 'offline', nowMs));
    }
    if (socket.connected && !this.#resyncing && isStale(state, nowMs, 2 * this.staleAfterMs)) {
      // Half-open connection: heartbeats should arrive every few seconds. The header has shown "stale" since
      // `staleAfterMs`; now reconnect and resume.
      this.#store.update((current) => markConnection({ ...current, lastMessageAtMs: nowMs }, 'reconnecting', nowMs));
      socket.disconnect();
      socket.connect();
    }
  }
}
