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

function geojsonLayerStyles(layer: GeojsonLayerRef, sourceId: string): LayerSpecification[] {
  const polygons = ['==', ['geometry-type'], 'Polygon'] as const;
  const lines = ['==', ['geometry-type'], 'LineString'] as const;
  switch (layer.role) {
    case 'water':
      return [
        { id: `${sourceId}-fill`, type: 'fill', source: sourceId, filter: polygons as never, paint: { 'fill-color': MAP_COLORS.water } },
        { id: `${sourceId}-line`, type: 'line', source: sourceId, filter: lines as never, paint: { 'line-color': MAP_COLORS.water, 'line-width': 2 } },
      ];
    case 'roads':
      return [{ id: `${sourceId}-line`, type: 'line', source: sourceId, paint: { 'line-color': MAP_COLORS.road, 'line-width': ['interpolate', ['linear'], ['zoom'], 8, 0.5, 14, 3] } }];
    case 'boundaries':
      return [{ id: `${sourceId}-line`, type: 'line', source: sourceId, paint: { 'line-color': MAP_COLORS.boundary, 'line-width': 1, 'line-dasharray': [2, 2] } }];
    case 'other':
      return [{ id: `${sourceId}-line`, type: 'line', source: sourceId, paint: { 'line-color': MAP_COLORS.other, 'line-width': 1 } }];
  }
}

export function districtLineLayer(): LayerSpecification {
  return { id: DISTRICT_LINE_LAYER, type: 'line', source: DISTRICTS_SOURCE, paint: { 'line-color': MAP_COLORS.districtLine, 'line-width': 1.5, 'line-opacity': 0.9 } };
}

/** The offline style: no tiles, no glyphs, no sprite. `baseUrl` makes layer URLs absolute (MapLibre fetches them in a worker). */
export function builtinStyle(site: Site, geojsonLayers: readonly GeojsonLayerRef[] = [], baseUrl = 'http://localhost/'): StyleSpecification {
  const sources: StyleSpecification['sources'] = { [DISTRICTS_SOURCE]: { type: 'geojson', data: districtsGeojson(site) as never } };
  const layers: LayerSpecification[] = [
    { id: 'ioc-background', type: 'background', paint: { 'background-color': MAP_COLORS.background } },
    { id: 'ioc-district-fill', type: 'fill', source: DISTRICTS_SOURCE, paint: { 'fill-color': MAP_COLORS.districtFill, 'fill-opacity': 0.95 } },
  ];
  for (const layer of geojsonLayers) {
    const sourceId = `ioc-basemap-${layer.id}`;
    sources[sourceId] = { type: 'geojson', data: new URL(layer.url, baseUrl).href };
    layers.push(...geojsonLayerStyles(layer, sourceId));
  }
  layers.push(districtLineLayer());
  return { version: 8, name: 'IOC builtin', sources, layers };
}

export type MapStyleChoice = { style: StyleSpecification; overlayDistricts: false } | { style: string; overlayDistricts: true };

/**
 * What to give MapLibre for the configured basemap. A PMTiles archive needs the pmtiles protocol, which the
 * wall does not bundle: it gets the builtin style (and a console note) until it does.
 */
export function chooseStyle(basemap: BasemapConfig, site: Site, baseUrl: string): MapStyleChoice {
  switch (basemap.kind) {
    case 'styleUrl':
      return { style: new URL(basemap.url, baseUrl).href, overlayDistricts: true };
    case 'pmtiles':
      if (/\.json(\?|$)/i.test(basemap.url)) return { style: new URL(basemap.url, baseUrl).href, overlayDistricts: true };
      return { style: builtinStyle(site, [], baseUrl), overlayDistricts: false };
    case 'geojson':
      return { style: builtinStyle(site, basemap.layers, baseUrl), overlayDistricts: false };
    case 'builtin':
      return { style: builtinStyle(site, [], baseUrl), overlayDistricts: false };
  }
}
