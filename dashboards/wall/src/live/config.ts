/** `GET /api/v1/wall/config` (packages/api/src/routes.ts). */
export interface GeojsonLayerRef {
  id: string;
  url: string;
  role: 'roads' | 'water' | 'boundaries' | 'other';
}

export type BasemapConfig = { kind: 'builtin' } | { kind: 'styleUrl' | 'pmtiles'; url: string } | { kind: 'geojson'; layers: GeojsonLayerRef[] };

export interface WallConfig {
  basemap: BasemapConfig;
  liveBatchIntervalMs: number;
  staleAfterSeconds: number;
}

export const DEFAULT_WALL_CONFIG: WallConfig = { basemap: { kind: 'builtin' }, liveBatchIntervalMs: 250, staleAfterSeconds: 15 };

/** Reads what the server sent, keeping defaults for anything missing or malformed. */
export function parseWallConfig(body: unknown): WallConfig {
  if (!body || typeof body !== 'object') return DEFAULT_WALL_CONFIG;
  const raw = body as Partial<Record<keyof WallConfig, unknown>>;
  const staleAfterSeconds = typeof raw.staleAfterSeconds === 'number' && raw.staleAfterSeconds > 0 ? raw.staleAfterSeconds : DEFAULT_WALL_CONFIG.staleAfterSeconds;
  const liveBatchIntervalMs = typeof raw.liveBatchIntervalMs === 'number' && raw.liveBatchIntervalMs > 0 ? raw.liveBatchIntervalMs : DEFAULT_WALL_CONFIG.liveBatchIntervalMs;
  let basemap: BasemapConfig = DEFAULT_WALL_CONFIG.basemap;
  const candidate = raw.basemap as { kind?: unknown; url?: unknown; layers?: unknown } | undefined;
  if (candidate && (candidate.kind === 'styleUrl' || candidate.kind === 'pmtiles') && typeof candidate.url === 'string') {
    basemap = { kind: candidate.kind, url: candidate.url };
  } else if (candidate && candidate.kind === 'geojson' && Array.isArray(candidate.layers)) {
    basemap = {
      kind: 'geojson',
      layers: candidate.layers.filter(
        (layer): layer is GeojsonLayerRef => !!layer && typeof layer === 'object' && typeof (layer as GeojsonLayerRef).id === 'string' && typeof (layer as GeojsonLayerRef).url === 'string',
      ),
    };
  }
  return { basemap, liveBatchIntervalMs, staleAfterSeconds };
}
