import type { Site } from '@ioc/schemas';
import type { StyleSpecification, LayerSpecification } from 'maplibre-gl';
import type { BasemapConfig, GeojsonLayerRef } from '../live/config';

/**
 * Basemaps that need no network beyond the API node: the builtin one is a background and the site's district
 * polygons (names come from a deck.gl TextLayer, since MapLibre text needs glyph downloads); `geojson` adds
 * the site pack's layers (roads, water, boundaries) served by the API. `styleUrl` uses the configured style and
 * draws the district outlines over it.
 */
export const MAP_COLORS = {
  background: '#070d1a',
  districtFill: '#111d33',
  districtLine: '#5b7db5',
  water: '#12365c',
  road: '#34445f',
  boundary: '#7a8fb3',
  other: '#3d4a63',
} as const;

export const DISTRICTS_SOURCE = 'ioc-districts';
export const DISTRICT_LINE_LAYER = 'ioc-district-line';

export interface DistrictFeatureCollection {
  type: 'FeatureCollection';
  features: Array<{
    type: 'Feature';
    id: number;
    properties: { code: string; name: string };
    geometry: { type: 'Polygon'; coordinates: Array<Array<[number, number]>> };
  }>;
}

export function districtsGeojson(site: Site): DistrictFeatureCollection {
  return {
    type: 'FeatureCollection',
    features: site.districts.map((district, index) => ({
      type: 'Feature',
      id: index,
      properties: { code: district.code, name: district.name },
      geometry: { type: 'Polygon', coordinates: [district.boundary.map(([lng, lat]) => [lng, lat] as [number, number])] },
    })),
  };
}

/**
 * Road styling by the site pack's `class` (infra/src/site-pack: motorway … service, path, other): colour and
 * width at zoom 12 and 18 (pixels at 1080p, times the wall's scale). Muted greys for minor roads so the live
 * layers stay readable; major roads warmer and wider.
 */
export const ROAD_STYLES: Record<string, { color: string; widthAt12: number; widthAt18: number }> = {
  motorway: { color: '#c2792f', widthAt12: 2.4, widthAt18: 16 },
  trunk: { color: '#b08a34', widthAt12: 2.2, widthAt18: 15 },
  primary: { color: '#8c9fc4', widthAt12: 1.8, widthAt18: 13 },
  secondary: { color: '#6e83ab', widthAt12: 1.4, widthAt18: 11 },
  tertiary: { color: '#5a6d93', widthAt12: 1.1, widthAt18: 9 },
  residential: { color: '#3e4d6b', widthAt12: 0.6, widthAt18: 6 },
  service: { color: '#323f58', widthAt12: 0.4, widthAt18: 4 },
  path: { color: '#2b364b', widthAt12: 0.3, widthAt18: 2 },
  other: { color: '#34425c', widthAt12: 0.5, widthAt18: 4 },
};

function roadClassMatch(pick: (style: { color: string; widthAt12: number; widthAt18: number }) => string | number, scale: number): unknown[] {
  const expression: unknown[] = ['match', ['get', 'class']];
  for (const [roadClass, style] of Object.entries(ROAD_STYLES)) {
    if (roadClass === 'other') continue;
    const value = pick(style);
    expression.push(roadClass, typeof value === 'number' ? value * scale : value);
  }
  const fallback = pick(ROAD_STYLES.other as { color: string; widthAt12: number; widthAt18: number });
  expression.push(typeof fallback === 'number' ? fallback * scale : fallback);
  return expression;
}

function geojsonLayerStyles(layer: GeojsonLayerRef, sourceId: string, scale: number): LayerSpecification[] {
  const polygons = ['==', ['geometry-type'], 'Polygon'] as const;
  const lines = ['==', ['geometry-type'], 'LineString'] as const;
  switch (layer.role) {
    case 'water':
      return [
        { id: `${sourceId}-fill`, type: 'fill', source: sourceId, filter: polygons as never, paint: { 'fill-color': MAP_COLORS.water } },
        { id: `${sourceId}-line`, type: 'line', source: sourceId, filter: lines as never, paint: { 'line-color': MAP_COLORS.water, 'line-width': 2 * scale } },
      ];
    case 'roads':
      return [
        {
          id: `${sourceId}-line`,
          type: 'line',
          source: sourceId,
          filter: lines as never,
          layout: { 'line-cap': 'round', 'line-join': 'round' },
          paint: {
            'line-color': roadClassMatch((style) => style.color, scale) as never,
            'line-width': ['interpolate', ['exponential', 1.6], ['zoom'], 12, roadClassMatch((style) => style.widthAt12, scale), 18, roadClassMatch((style) => style.widthAt18, scale)] as never,
          },
        },
      ];
    case 'boundaries':
      return [{ id: `${sourceId}-line`, type: 'line', source: sourceId, paint: { 'line-color': MAP_COLORS.boundary, 'line-width': 1.5 * scale, 'line-dasharray': [3, 2] } }];
    case 'other':
      return [{ id: `${sourceId}-line`, type: 'line', source: sourceId, paint: { 'line-color': MAP_COLORS.other, 'line-width': scale } }];
  }
}

export function districtLineLayer(scale = 1): LayerSpecification {
  return { id: DISTRICT_LINE_LAYER, type: 'line', source: DISTRICTS_SOURCE, paint: { 'line-color': MAP_COLORS.districtLine, 'line-width': 1.5 * scale, 'line-opacity': 0.9 } };
}

/**
 * The offline style: no tiles, no glyphs, no sprite. `baseUrl` makes layer URLs absolute (MapLibre fetches them
 * in a worker); `scale` widens strokes for 4K and spanning walls.
 */
export function builtinStyle(site: Site, geojsonLayers: readonly GeojsonLayerRef[] = [], baseUrl = 'http://localhost/', scale = 1): StyleSpecification {
  const sources: StyleSpecification['sources'] = { [DISTRICTS_SOURCE]: { type: 'geojson', data: districtsGeojson(site) as never } };
  const layers: LayerSpecification[] = [
    { id: 'ioc-background', type: 'background', paint: { 'background-color': MAP_COLORS.background } },
    { id: 'ioc-district-fill', type: 'fill', source: DISTRICTS_SOURCE, paint: { 'fill-color': MAP_COLORS.districtFill, 'fill-opacity': 0.95 } },
  ];
  for (const layer of geojsonLayers) {
    const sourceId = `ioc-basemap-${layer.id}`;
    sources[sourceId] = { type: 'geojson', data: new URL(layer.url, baseUrl).href };
    layers.push(...geojsonLayerStyles(layer, sourceId, scale));
  }
  layers.push(districtLineLayer(scale));
  return { version: 8, name: 'IOC builtin', sources, layers };
}

export type MapStyleChoice = { style: StyleSpecification; overlayDistricts: false } | { style: string; overlayDistricts: true };

/**
 * What to give MapLibre for the configured basemap. A PMTiles archive needs the pmtiles protocol, which the
 * wall does not bundle: it gets the builtin style (and a console note) until it does.
 */
export function chooseStyle(basemap: BasemapConfig, site: Site, baseUrl: string, scale = 1): MapStyleChoice {
  switch (basemap.kind) {
    case 'styleUrl':
      return { style: new URL(basemap.url, baseUrl).href, overlayDistricts: true };
    case 'pmtiles':
      if (/\.json(\?|$)/i.test(basemap.url)) return { style: new URL(basemap.url, baseUrl).href, overlayDistricts: true };
      return { style: builtinStyle(site, [], baseUrl, scale), overlayDistricts: false };
    case 'geojson':
      return { style: builtinStyle(site, basemap.layers, baseUrl, scale), overlayDistricts: false };
    case 'builtin':
      return { style: builtinStyle(site, [], baseUrl, scale), overlayDistricts: false };
  }
}
