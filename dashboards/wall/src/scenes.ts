/**
 * Scenes: what the wall shows at a time — a set of panels and map layers. They rotate on an interval
 * (`?rotate=60`, 0 stops it) and can be pinned (`?scene=traffic`, or the pin button). Rotation is a pure state
 * moved by `rotationTick`, `pinScene`, `unpinScene`, tested with plain numbers.
 */
export const SCENE_IDS = ['overview', 'traffic', 'publicServices', 'incidents'] as const;
export type SceneId = (typeof SCENE_IDS)[number];

export const PANEL_IDS = [
  'kpis',
  'trend',
  'legend',
  'ranking',
  'alerts',
  'cameraStrip',
  'trafficVolume',
  'vehicleMix',
  'violationsByRule',
  'dossierGauges',
  'overdueAgencies',
  'fieldReports',
  'incidentsBySeverity',
] as const;
export type PanelId = (typeof PANEL_IDS)[number];

export const MAP_LAYER_IDS = ['devices', 'cameras', 'violations', 'roadFlow', 'choropleth', 'incidents', 'fieldReports'] as const;
export type MapLayerId = (typeof MAP_LAYER_IDS)[number];

export interface SceneDefinition {
  id: SceneId;
  /** Beside the map (right column; in the spanning layout the right side). */
  side: readonly PanelId[];
  /** Under the map in 16:9 layouts; the left side in the spanning layout. */
  strip: readonly PanelId[];
  layers: readonly MapLayerId[];
  /** What the district choropleth shows in this scene, if it has one. */
  choropleth?: 'violations' | 'dossierOnTime';
}

export const SCENES: Readonly<Record<SceneId, SceneDefinition>> = {
  overview: { id: 'overview', side: ['trend', 'legend', 'ranking'], strip: ['kpis', 'alerts', 'cameraStrip'], layers: ['devices', 'cameras', 'violations', 'incidents'] },
  traffic: {
    id: 'traffic',
    side: ['trafficVolume', 'vehicleMix', 'violationsByRule'],
    strip: ['cameraStrip', 'alerts'],
    layers: ['choropleth', 'roadFlow', 'violations', 'cameras'],
    choropleth: 'violations',
  },
  publicServices: {
    id: 'publicServices',
    side: ['dossierGauges', 'overdueAgencies'],
    strip: ['fieldReports', 'kpis'],
    layers: ['choropleth', 'fieldReports'],
    choropleth: 'dossierOnTime',
  },
  incidents: { id: 'incidents', side: ['incidentsBySeverity', 'alerts'], strip: ['fieldReports', 'cameraStrip'], layers: ['incidents', 'fieldReports', 'cameras'] },
};

export function isSceneId(value: unknown): value is SceneId {
  return typeof value === 'string' && (SCENE_IDS as readonly string[]).includes(value);
}

export interface Rotation {
  scene: SceneId;
  pinned: boolean;
  /** 0: no rotation. */
  intervalMs: number;
  sinceMs: number;
}

export function initialRotation(options: { scene?: SceneId; intervalSeconds: number }, nowMs: number): Rotation {
  return { scene: options.scene ?? 'overview', pinned: options.scene !== undefined, intervalMs: Math.max(0, options.intervalSeconds) * 1000, sinceMs: nowMs };
}

/** The next scene once the interval has passed (several intervals missed, e.g. a sleeping tab: one step). */
export function rotationTick(rotation: Rotation, nowMs: number): Rotation {
  if (rotation.pinned || rotation.intervalMs <= 0 || nowMs - rotation.sinceMs < rotation.intervalMs) return rotation;
  const index = SCENE_IDS.indexOf(rotation.scene);
  return { ...rotation, scene: SCENE_IDS[(index + 1) % SCENE_IDS.length] as SceneId, sinceMs: nowMs };
}

export function pinScene(rotation: Rotation, scene: SceneId, nowMs: number): Rotation {
  return { ...rotation, scene, pinned: true, sinceMs: nowMs };
}

/** Rotation resumes from the current scene, with a full interval before the next. */
export function unpinScene(rotation: Rotation, nowMs: number): Rotation {
  return rotation.pinned ? { ...rotation, pinned: false, sinceMs: nowMs } : rotation;
}

export function msUntilNextScene(rotation: Rotation, nowMs: number): number | undefined {
  if (rotation.pinned || rotation.intervalMs <= 0) return undefined;
  return Math.max(0, rotation.sinceMs + rotation.intervalMs - nowMs);
}
