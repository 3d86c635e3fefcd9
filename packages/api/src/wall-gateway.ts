import type { Namespace, Server, Socket } from 'socket.io';
import type { Logger } from 'pino';
import {
  SCHEMA_VERSION,
  formatEventId,
  parseEventId,
  type LiveEvent,
  type WallClientToServerEvents,
  type WallDeltaBatch,
  type WallHandshakeAuth,
  type WallServerToClientEvents,
} from '@ioc/schemas';
import type { LiveHub } from './live-hub';

interface WallSocketData {
  /** Sequence of the last event this client has (from its snapshot, then from what we sent). */
  cursor: number;
}

type WallSocket = Socket<WallClientToServerEvents, WallServerToClientEvents, Record<string, never>, WallSocketData>;
export type WallNamespace = Namespace<WallClientToServerEvents, WallServerToClientEvents, Record<string, never>, WallSocketData>;

export interface WallGatewayOptions {
  batchIntervalMs: number;
  /** An empty batch at least this often, so a client can tell a quiet system from a dead link. */
  heartbeatIntervalMs: number;
}

/**
 * socket.io namespace `/wall`. A client connects with the `lastEventId` of its REST snapshot; it then receives
 * every later event exactly once, in batches at most every `batchIntervalMs` — never one message per event.
 * Clients whose id this node cannot serve (another node's epoch, or older than the replay buffer) are told to
 * resync.
 */
export class WallGateway {
  readonly #namespace: WallNamespace;
  readonly #hub: LiveHub;
  readonly #logger: Logger;
  readonly #options: WallGatewayOptions;
  #timer: NodeJS.Timeout | undefined;
  #lastSendMs = 0;
  #draining = false;

  constructor(io: Server, hub: LiveHub, logger: Logger, options: WallGatewayOptions) {
    this.#namespace = io.of('/wall') as unknown as WallNamespace;
    this.#hub = hub;
    this.#logger = logger.child({ module: 'wall-gateway' });
    this.#options = options;
    this.#namespace.on('connection', (socket) => this.#onConnection(socket));
    this.#timer = setInterval(() => this.#tick(), options.batchIntervalMs);
    this.#timer.unref();
  }

  get clientCount(): number {
    return this.#namespace.sockets.size;
  }

  #onConnection(socket: WallSocket): void {
    const auth = (socket.handshake.auth ?? {}) as WallHandshakeAuth;
    const afterEventId = typeof auth.afterEventId === 'string' ? auth.afterEventId : undefined;
    if (this.#draining) {
      this.#sendGoingAway(socket);
      return;
    }
    if (!afterEventId) {
      // No snapshot yet: start from now; the client is expected to fetch one and call `resume`.
      socket.data.cursor = this.#hub.lastSequence;
    } else if (!this.#resume(socket, afterEventId)) {
      return;
    }
    socket.on('resume', (eventId, acknowledge) => {
      const ok = typeof eventId === 'string' && this.#resume(socket, eventId);
      if (typeof acknowledge === 'function') acknowledge({ ok });
    });
  }

  /** Positions the client after `eventId` and sends what it missed; false (and a resync) if impossible. */
  #resume(socket: WallSocket, eventId: string): boolean {
    const replay = this.#hub.eventsAfter(eventId);
    if (!replay.ok) {
      socket.emit('resync', { id: this.#hub.lastEventId, type: 'wall.resync', time: new Date().toISOString(), schemaVersion: SCHEMA_VERSION, reason: replay.reason });
      return false;
    }
    socket.data.cursor = (parseEventId(eventId) as { sequence: number }).sequence;
    if (replay.events.length > 0) this.#send(socket, replay.events);
    return true;
  }

  #send(socket: WallSocket, events: LiveEvent[]): void {
    const last = events[events.length - 1];
    const toId = last ? last.id : formatEventId(this.#hub.epoch, socket.data.cursor);
    socket.emit('deltas', {
      id: toId,
      type: 'wall.deltas',
      time: new Date().toISOString(),
      schemaVersion: SCHEMA_VERSION,
      afterEventId: formatEventId(this.#hub.epoch, socket.data.cursor),
      events,
    });
    if (last) socket.data.cursor = (parseEventId(last.id) as { sequence: number }).sequence;
  }

  #tick(): void {
    const latest = this.#hub.lastSequence;
    const nowMs = Date.now();
    const heartbeatDue = nowMs - this.#lastSendMs >= this.#options.heartbeatIntervalMs;
    // Clients at the same cursor get the same batch: grouped, it is serialised once and written to each of them
    // (socket.io encodes a broadcast once), instead of once per client — at 50 screens that is most of the CPU.
    const groups = new Map<number, WallSocket[]>();
    for (const socket of this.#namespace.sockets.values()) {
      const cursor = socket.data.cursor;
      if (cursor === undefined) continue;
      if (cursor >= latest && !heartbeatDue) continue;
      const group = groups.get(cursor);
      if (group) group.push(socket);
      else groups.set(cursor, [socket]);
    }
    let sent = false;
    for (const [cursor, sockets] of groups) {
      let events: LiveEvent[] = [];
      if (cursor < latest) {
        const replay = this.#hub.eventsAfter(formatEventId(this.#hub.epoch, cursor));
        if (!replay.ok) {
          for (const socket of sockets) {
            socket.emit('resync', { id: this.#hub.lastEventId, type: 'wall.resync', time: new Date().toISOString(), schemaVersion: SCHEMA_VERSION, reason: 'tooFarBehind' });
            socket.disconnect(true);
          }
          continue;
        }
        events = replay.events;
      }
      const last = events[events.length - 1];
      const batch: WallDeltaBatch = {
        id: last ? last.id : formatEventId(this.#hub.epoch, cursor),
        type: 'wall.deltas',
        time: new Date().toISOString(),
        schemaVersion: SCHEMA_VERSION,
        afterEventId: formatEventId(this.#hub.epoch, cursor),
        events,
      };
      // `local`: these sockets are this node's; with an adapter between nodes nothing needs to cross.
      this.#namespace.local.to(sockets.map((socket) => socket.id)).emit('deltas', batch);
      const nextCursor = last ? (parseEventId(last.id) as { sequence: number }).sequence : cursor;
      for (const socket of sockets) socket.data.cursor = nextCursor;
      sent = true;
    }
    if (sent) this.#lastSendMs = nowMs;
  }

  #sendGoingAway(socket: WallSocket): void {
    socket.emit('goingAway', { id: this.#hub.lastEventId, type: 'wall.goingAway', time: new Date().toISOString(), schemaVersion: SCHEMA_VERSION, reconnectAfterMs: 1000 });
    socket.disconnect(true);
  }

  /** Graceful drain: flush what clients have not received, then tell them to reconnect elsewhere. */
  drain(): void {
    this.#draining = true;
    this.#tick();
    for (const socket of this.#namespace.sockets.values()) this.#sendGoingAway(socket);
    this.close();
    this.#logger.info('wall clients told to reconnect elsewhere');
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }
}
