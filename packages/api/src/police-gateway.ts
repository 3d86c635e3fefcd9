import type { Namespace, Server, Socket } from 'socket.io';
import type { Logger } from 'pino';
import { violationRuleSchema, type BusMessage, type PoliceClientToServerEvents, type PoliceServerToClientEvents, type SessionUser, type ViolationActionEntry, type ViolationRecord } from '@ioc/schemas';
import type { ViolationRepository } from '@ioc/store';
import { viewerMaySee } from './police';

interface PoliceSocketData {
  user?: SessionUser;
}
/** Between API nodes (socket.io adapter): an officer's action taken on one node, for the clients of the others. */
interface PoliceServerSideEvents {
  'violation.updated': (message: { violation: ViolationRecord; entry: ViolationActionEntry }) => void;
}
type PoliceSocket = Socket<PoliceClientToServerEvents, PoliceServerToClientEvents, PoliceServerSideEvents, PoliceSocketData>;
type PoliceNamespace = Namespace<PoliceClientToServerEvents, PoliceServerToClientEvents, PoliceServerSideEvents, PoliceSocketData>;

export interface PoliceGatewayOptions {
  io: Server;
  /** Where new violations are announced (the camera pipeline publishes each one's Alert). */
  subscribe: (handler: (message: BusMessage) => void) => () => void;
  violations: Pick<ViolationRepository, 'get'>;
  logger: Logger;
  /**
   * Several API nodes joined by a socket.io adapter (`ioc api`): actions are also sent to the other nodes
   * (`serverSideEmit`), each pushing them to its own clients. New violations need not be: every node gets them
   * from the bus. Off in one process (the in-memory adapter has no other node to tell).
   */
  crossNode?: boolean;
}

/**
 * socket.io namespace `/police`. On connect a client gets `hello` with its scope and reloads its queue over
 * HTTP (that reload is the resync after a reconnect: the store is the record, nothing is replayed here). Then it
 * receives `violation.new` and `violation.updated` for the cases it may see.
 *
 * One message per event, not batches like the wall: violations come a few per minute per camera, not hundreds
 * of readings per second, each must reach the officer (and ring) at once, and a batch window would only add
 * its length to that delay.
 */
export class PoliceGateway {
  readonly #namespace: PoliceNamespace;
  readonly #log: Logger;
  readonly #unsubscribe: () => void;
  readonly #crossNode: boolean;
  #sent = 0;

  constructor(options: PoliceGatewayOptions) {
    this.#log = options.logger.child({ module: 'police-gateway' });
    this.#namespace = options.io.of('/police') as unknown as PoliceNamespace;
    this.#crossNode = options.crossNode ?? false;
    this.#namespace.on('connection', (socket) => this.#onConnection(socket));
    // Another node's officer acted: tell the clients here (each node filters for its own sockets).
    if (this.#crossNode) this.#namespace.on('violation.updated', (message) => this.#send(message.violation, (socket) => socket.emit('violation.updated', message)));
    this.#unsubscribe = options.subscribe((message) => {
      if (message.kind !== 'alert' || message.alert.category !== 'traffic' || !violationRuleSchema.safeParse(message.alert.subCategory).success) return;
      // The Alert is announced after the violation row is committed (same id): read the police view of it.
      options.violations.get(message.alert.id).then(
        (record) => {
          if (record) this.#send(record, (socket) => socket.emit('violation.new', record));
        },
        (err: unknown) => this.#log.warn({ err, violationId: message.alert.id }, 'new violation not read; clients see it on their next reload'),
      );
    });
  }

  get clientCount(): number {
    return this.#namespace.sockets.size;
  }

  /** Messages sent since start (all clients). */
  get sentCount(): number {
    return this.#sent;
  }

  /** After an officer's action (called by the police router once it is committed). */
  updated(violation: ViolationRecord, entry: ViolationActionEntry): void {
    this.#send(violation, (socket) => socket.emit('violation.updated', { violation, entry }));
    if (this.#crossNode) this.#namespace.serverSideEmit('violation.updated', { violation, entry });
  }

  close(): void {
    this.#unsubscribe();
  }

  #onConnection(socket: PoliceSocket): void {
    const user = socket.data.user;
    socket.emit('hello', {
      scope: { province: !user || (user.districtCodes.length === 0 && user.cameraIds.length === 0), districtCodes: user?.districtCodes ?? [], cameraIds: user?.cameraIds ?? [] },
      user: user ? { username: user.username, displayName: user.displayName, role: user.role, unit: user.unit } : null,
      serverTime: new Date().toISOString(),
    });
  }

  #send(record: ViolationRecord, emit: (socket: PoliceSocket) => void): void {
    for (const socket of this.#namespace.sockets.values()) {
      if (!viewerMaySee(socket.data.user, record)) continue;
      emit(socket);
      this.#sent += 1;
    }
  }
}
