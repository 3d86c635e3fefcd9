import type { SensorProperty } from '@ioc/schemas';
import type { WallStore } from './live/store';
import type { ConnectionStatus } from './state/wall-state';

/** What a real pick at a device's screen position found in the device layer. */
export interface PickedDevice {
  id: string;
  value?: number;
}

/** Registered by the map once it exists. */
export interface MapProbe {
  pickDeviceAt(deviceId: string): PickedDevice | null;
}

/** Registered by the chart once it exists. */
export interface ChartProbe {
  getChartPoints(deviceId: string, property: string): Array<[number, number]>;
}

/**
 * `window.__IOC_WALL__`: what the end-to-end test (tests/wall-e2e.test.ts) and an engineer at the wall's
 * console can ask. Answers come from what is drawn (a deck.gl pick, the chart's current option), not from
 * the state, so they prove the value reached the screen.
 */
export interface WallHooks {
  /** Map, layers and chart have all rendered at least once. */
  readonly ready: boolean;
  readonly connection: ConnectionStatus;
  readonly lastEventId: string | undefined;
  readonly property: SensorProperty;
  pickDeviceAt(deviceId: string): PickedDevice | null;
  getChartPoints(deviceId: string, property: string): Array<[number, number]>;
}

export type ReadyPart = 'map' | 'layers' | 'chart';

export class HookRegistry {
  readonly #parts = new Set<ReadyPart>();
  map: MapProbe | undefined;
  chart: ChartProbe | undefined;
  property: SensorProperty;

  constructor(property: SensorProperty) {
    this.property = property;
  }

  markReady(part: ReadyPart): void {
    this.#parts.add(part);
  }

  get ready(): boolean {
    return this.#parts.has('map') && this.#parts.has('layers') && this.#parts.has('chart');
  }
}

declare global {
  interface Window {
    __IOC_WALL__?: WallHooks;
  }
}

export function installHooks(store: WallStore, registry: HookRegistry): WallHooks {
  const hooks: WallHooks = {
    get ready() {
      return registry.ready;
    },
    get connection() {
      return store.state.status;
    },
    get lastEventId() {
      return store.state.lastEventId;
    },
    get property() {
      return registry.property;
    },
    pickDeviceAt: (deviceId) => registry.map?.pickDeviceAt(deviceId) ?? null,
    getChartPoints: (deviceId, property) => registry.chart?.getChartPoints(deviceId, property) ?? [],
  };
  window.__IOC_WALL__ = hooks;
  return hooks;
}
