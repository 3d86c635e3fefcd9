import type { SensorProperty } from '@ioc/schemas';
import type { WallStore } from './live/store';
import type { SceneId } from './scenes';
import type { ConnectionStatus } from './state/wall-state';

/** What a real pick at a device's screen position found in the device layer. */
export interface PickedDevice {
  id: string;
  value?: number;
}

/** Registered by the map once it exists. */
export interface MapProbe {
  pickDeviceAt(deviceId: string): PickedDevice | null;
  /** A real deck.gl pick at the camera's screen position: the camera id, state and count drawn there. */
  pickCameraAt(cameraId: string): { id: string; state: string; vehicles: number } | null;
  /** Opens the camera's snapshot popup, as a click on its icon does. */
  openCamera(cameraId: string): boolean;
  /** A real deck.gl pick at the field report's marker: its id and screen position (for a real click there). */
  pickFieldReportAt(reportId: string): { id: string; x: number; y: number } | null;
  /** Opens the report's card, as a click on its marker does. */
  openFieldReport(reportId: string): boolean;
}

/** Registered by the chart once it exists. */
export interface ChartProbe {
  getChartPoints(deviceId: string, property: string): Array<[number, number]>;
}

/** Synthetic load for `pnpm bench:wall` (dashboards/wall/bench): big layers without a big server. */
export interface BenchProbe {
  loadViolations(count: number, seed?: number): void;
  loadRoadSegments(count: number, seed?: number): void;
}

export interface SceneControl {
  readonly scene: SceneId;
  readonly pinned: boolean;
  pin(scene: SceneId): void;
  unpin(): void;
}

/**
 * `window.__IOC_WALL__`: what the end-to-end and screen tests, the benchmarks and an engineer at the wall's
 * console can ask. Answers come from what is drawn (a deck.gl pick, the chart's current option), not from
 * the state, so they prove the value reached the screen.
 */
export interface WallHooks {
  /** Map, layers and every chart of the current scene have rendered. */
  readonly ready: boolean;
  /** performance.now() when `ready` first became true (time from navigation start to first complete render). */
  readonly firstReadyAtMs: number | undefined;
  readonly connection: ConnectionStatus;
  readonly lastEventId: string | undefined;
  readonly property: SensorProperty;
  readonly scene: SceneId | undefined;
  readonly layerCounts: Record<string, number>;
  pickDeviceAt(deviceId: string): PickedDevice | null;
  pickCameraAt(cameraId: string): { id: string; state: string; vehicles: number } | null;
  openCamera(cameraId: string): boolean;
  pickFieldReportAt(reportId: string): { id: string; x: number; y: number } | null;
  openFieldReport(reportId: string): boolean;
  getChartPoints(deviceId: string, property: string): Array<[number, number]>;
  setScene(scene: SceneId): void;
  unpinScene(): void;
  bench: BenchProbe;
  /** The watchdog's last decision and reload count (it reloads a wall that stopped drawing). */
  readonly watchdog: { lastDecision: string; reloads: number };
}

export type ReadyPart = 'map' | 'layers';

export class HookRegistry {
  readonly #parts = new Set<ReadyPart>();
  /** Charts mounted in the current scene that have not drawn yet. */
  readonly #pendingCharts = new Set<string>();
  map: MapProbe | undefined;
  chart: ChartProbe | undefined;
  bench: BenchProbe | undefined;
  scenes: SceneControl | undefined;
  property: SensorProperty;
  firstReadyAtMs: number | undefined;
  layerCounts: Record<string, number> = {};
  watchdog = { lastDecision: 'ok', reloads: 0 };
  /** Bumped by every React commit of the clock; the watchdog reads it. */
  lastCommitAtMs = Date.now();

  constructor(property: SensorProperty) {
    this.property = property;
  }

  markReady(part: ReadyPart): void {
    this.#parts.add(part);
    this.#noteReady();
  }

  chartMounted(name: string): void {
    this.#pendingCharts.add(name);
  }

  chartDrawn(name: string): void {
    this.#pendingCharts.delete(name);
    this.#noteReady();
  }

  chartUnmounted(name: string): void {
    this.#pendingCharts.delete(name);
    this.#noteReady();
  }

  get ready(): boolean {
    return this.#parts.has('map') && this.#parts.has('layers') && this.#pendingCharts.size === 0;
  }

  #noteReady(): void {
    if (this.firstReadyAtMs === undefined && this.ready) this.firstReadyAtMs = performance.now();
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
    get firstReadyAtMs() {
      return registry.firstReadyAtMs;
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
    get scene() {
      return registry.scenes?.scene;
    },
    get layerCounts() {
      return registry.layerCounts;
    },
    get watchdog() {
      return registry.watchdog;
    },
    pickDeviceAt: (deviceId) => registry.map?.pickDeviceAt(deviceId) ?? null,
    pickCameraAt: (cameraId) => registry.map?.pickCameraAt(cameraId) ?? null,
    openCamera: (cameraId) => registry.map?.openCamera(cameraId) ?? false,
    pickFieldReportAt: (reportId) => registry.map?.pickFieldReportAt(reportId) ?? null,
    openFieldReport: (reportId) => registry.map?.openFieldReport(reportId) ?? false,
    getChartPoints: (deviceId, property) => registry.chart?.getChartPoints(deviceId, property) ?? [],
    setScene: (scene) => registry.scenes?.pin(scene),
    unpinScene: () => registry.scenes?.unpin(),
    bench: {
      loadViolations: (count, seed) => registry.bench?.loadViolations(count, seed),
      loadRoadSegments: (count, seed) => registry.bench?.loadRoadSegments(count, seed),
    },
  };
  window.__IOC_WALL__ = hooks;
  return hooks;
}
