import { z } from 'zod';
import type { SCHEMA_VERSION } from './common';
import { alertSchema } from './alert';
import { cameraCountsSchema, cameraHealthSchema } from './camera';
import type { deviceSchema} from './device';
import { deviceStateSchema } from './device';
import { trafficFlowObservedSchema } from './traffic-flow';
import { SENSOR_PROPERTY_NAMES } from './properties';
import type { siteSchema } from './site';

/**
 * Live events. Ingest announces facts on the bus (`BusMessage`); each API node numbers them as it receives
 * them (`<epoch>:<seq>`) so that a wall client can take a snapshot naming the last event it includes and then
 * apply exactly the events after it — across reconnects too. A different epoch (another node, or a restart)
 * means the client must take a new snapshot.
 */
export const storedReadingSchema = z
  .object({
    deviceId: z.string().min(1).max(128),
    property: z.enum(SENSOR_PROPERTY_NAMES),
    value: z.number().finite(),
    observedAtMs: z.number().int().nonnegative(),
  })
  .strict();

export const deviceStateChangeSchema = z
  .object({
    deviceId: z.string().min(1).max(128),
    deviceState: deviceStateSchema,
    changedAtMs: z.number().int().nonnegative(),
  })
  .strict();
export type DeviceStateChange = z.infer<typeof deviceStateChangeSchema>;

/** What ingest publishes on the bus (in-process, or MQTT topic `ioc/v1/bus/events` between processes). */
export const busMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('readings'), readings: z.array(storedReadingSchema).min(1) }).strict(),
  z.object({ kind: z.literal('deviceState'), change: deviceStateChangeSchema }).strict(),
  z.object({ kind: z.literal('alert'), alert: alertSchema }).strict(),
  z.object({ kind: z.literal('cameraHealth'), health: cameraHealthSchema }).strict(),
  z.object({ kind: z.literal('cameraCounts'), counts: cameraCountsSchema }).strict(),
  // Between ingest workers only (split mode): the closed camera-minutes a worker stored, for the incident engine
  // on whichever worker holds the site duties. API nodes do not pass them to clients.
  z.object({ kind: z.literal('trafficFlows'), rows: z.array(trafficFlowObservedSchema).min(1).max(10_000) }).strict(),
]);
export type BusMessage = z.infer<typeof busMessageSchema>;

interface EnvelopeFields {
  /** `<epoch>:<seq>` assigned by the API node. */
  id: string;
  /** ISO time the node numbered the event. */
  time: string;
  schemaVersion: typeof SCHEMA_VERSION;
}

export type LiveEvent =
  | (EnvelopeFields & { type: 'sensor.readings'; readings: z.infer<typeof storedReadingSchema>[] })
  | (EnvelopeFields & { type: 'device.state'; change: DeviceStateChange })
  | (EnvelopeFields & { type: 'alert.raised'; alert: z.infer<typeof alertSchema> })
  | (EnvelopeFields & { type: 'camera.health'; health: z.infer<typeof cameraHealthSchema> })
  | (EnvelopeFields & { type: 'camera.counts'; counts: z.infer<typeof cameraCountsSchema> });

/** One push to the wall: every event after `afterEventId` up to `id`, in order. */
export interface WallDeltaBatch extends EnvelopeFields {
  type: 'wall.deltas';
  afterEventId: string;
  events: LiveEvent[];
}

export interface WallResync extends EnvelopeFields {
  type: 'wall.resync';
  reason: 'unknownEpoch' | 'tooFarBehind' | 'serverRestart';
}

export interface WallGoingAway extends EnvelopeFields {
  type: 'wall.goingAway';
  reconnectAfterMs: number;
}

export type LatestValues = Partial<Record<z.infer<typeof storedReadingSchema>['property'], { value: number; observedAtMs: number }>>;

export interface LiveDevice {
  device: z.infer<typeof deviceSchema>;
  latest: LatestValues;
}

/** `GET /api/v1/wall/snapshot`: the state up to and including `lastEventId`. */
export interface WallSnapshot extends EnvelopeFields {
  type: 'wall.snapshot';
  lastEventId: string;
  site: z.infer<typeof siteSchema>;
  devices: LiveDevice[];
  /** Per device and property, [observedAtMs, value] pairs for the last `historyMinutes`, oldest first. */
  history: Record<string, Partial<Record<z.infer<typeof storedReadingSchema>['property'], Array<[number, number]>>>>;
  historyMinutes: number;
}

/** socket.io namespace `/wall`: typed on both ends (server: Server<…>, client: Socket<…>). */
export interface WallServerToClientEvents {
  deltas: (batch: WallDeltaBatch) => void;
  resync: (message: WallResync) => void;
  goingAway: (message: WallGoingAway) => void;
}
export interface WallClientToServerEvents {
  /** Ask for the events after an id (used after a snapshot when already connected). */
  resume: (afterEventId: string, acknowledge: (result: { ok: boolean }) => void) => void;
}
/** Handshake `auth` of the `/wall` namespace. */
export interface WallHandshakeAuth {
  afterEventId?: string;
}

export function formatEventId(epoch: string, sequence: number): string {
  return `${epoch}:${sequence}`;
}

export function parseEventId(eventId: string): { epoch: string; sequence: number } | undefined {
  const match = /^([a-z0-9]{1,32}):(\d{1,15})$/.exec(eventId);
  if (!match) return undefined;
  return { epoch: match[1] as string, sequence: Number(match[2]) };
}

/** `GET /api/v1/health`. */
export interface HealthReport {
  status: 'ok' | 'degraded';
  database: { reachable: boolean; timescaledb: boolean; serverVersion?: string; embedded: boolean };
  outbox: { depthBatches: number; depthRows: number };
  broker: { connected: boolean; embedded: boolean; url: string };
  live: { epoch: string; lastEventId: string; wallClients: number };
  uptimeSeconds: number;
}
