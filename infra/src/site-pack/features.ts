import type { OsmData, OsmTags, OsmWay } from './osm';

export type Position = [number, number];

/** Road classes the wall styles (width and colour by class), most important first. */
export const ROAD_CLASSES = ['motorway', 'trunk', 'primary', 'secondary', 'tertiary', 'residential', 'service', 'path', 'other'] as const;
export type RoadClass = (typeof ROAD_CLASSES)[number];

const HIGHWAY_CLASS: Record<string, RoadClass> = {
  motorway: 'motorway',
  trunk: 'trunk',
  primary: 'primary',
  secondary: 'secondary',
  tertiary: 'tertiary',
  residential: 'residential',
  living_street: 'residential',
  unclassified: 'residential',
  road: 'other',
  service: 'service',
  track: 'other',
  busway: 'other',
  pedestrian: 'path',
  footway: 'path',
  path: 'path',
  cycleway: 'path',
  steps: 'path',
  bridleway: 'path',
  corridor: 'path',
};

/**
 * The class a `highway=*` way is drawn as, with `*_link` ramps in their road's class; undefined for what is not
 * a road on the map (construction, proposed, platforms, areas such as `area=yes` squares).
 */
export function roadClassOf(tags: OsmTags): { roadClass: RoadClass; link: boolean } | undefined {
  const highway = tags.highway;
  if (!highway || tags.area === 'yes') return undefined;
  const link = highway.endsWith('_link');
  const base = link ? highway.slice(0, -'_link'.length) : highway;
  const roadClass = HIGHWAY_CLASS[base];
  return roadClass ? { roadClass, link } : undefined;
}

/** The way's positions in order; undefined when a node is missing (cut at the extract's edge) and fewer than two remain. */
export function resolveWay(way: OsmWay, nodes: ReadonlyMap<number, Position>): Position[] | undefined {
  const positions: Position[] = [];
  for (const id of way.nodeIds) {
    const position = nodes.get(id);
    if (position) positions.push([round7(position[0]), round7(position[1])]);
  }
  return positions.length >= 2 ? positions : undefined;
}

/** OSM stores 7 decimals (about 1 cm); more only bloats the files. */
function round7(value: number): number {
  return Math.round(value * 1e7) / 1e7;
}

export interface RoadProperties {
  osmId: number;
  class: RoadClass;
  link: boolean;
  name?: string;
  nameEn?: string;
  ref?: string;
  oneway?: boolean;
  /** Drawn above/below other roads (bridges, tunnels). */
  layer?: number;
}

export interface LineFeature<P> {
  type: 'Feature';
  properties: P;
  geometry: { type: 'LineString'; coordinates: Position[] };
}

export interface PolygonFeature<P> {
  type: 'Feature';
  properties: P;
  geometry: { type: 'Polygon'; coordinates: Position[][] };
}

export interface FeatureCollection<F> {
  type: 'FeatureCollection';
  features: F[];
}

/** Every road way as a LineString with its class, names and ref; ways with unresolved nodes are left out. */
export function roadsFromOsm(data: OsmData): FeatureCollection<LineFeature<RoadProperties>> {
  const features: LineFeature<RoadProperties>[] = [];
  for (const way of data.ways) {
    const road = roadClassOf(way.tags);
    if (!road) continue;
    const coordinates = resolveWay(way, data.nodes);
    if (!coordinates) continue;
    const properties: RoadProperties = { osmId: way.id, class: road.roadClass, link: road.link };
    if (way.tags.name) properties.name = way.tags.name;
    if (way.tags['name:en']) properties.nameEn = way.tags['name:en'];
    if (way.tags.ref) properties.ref = way.tags.ref;
    if (way.tags.oneway === 'yes' || way.tags.oneway === '1') properties.oneway = true;
    const layer = Number(way.tags.layer);
    if (Number.isInteger(layer) && layer !== 0) properties.layer = layer;
    features.push({ type: 'Feature', properties, geometry: { type: 'LineString', coordinates } });
  }
  // Minor roads first so that major roads draw on top in a single line layer.
  const rank = (feature: LineFeature<RoadProperties>) => ROAD_CLASSES.indexOf(feature.properties.class);
  features.sort((a, b) => rank(b) - rank(a));
  return { type: 'FeatureCollection', features };
}

export type WaterKind = 'area' | 'river' | 'stream' | 'canal' | 'drain';
export interface WaterProperties {
  osmId: number;
  kind: WaterKind;
  name?: string;
}

const WATER_LINES: Record<string, WaterKind> = { river: 'river', stream: 'stream', canal: 'canal', drain: 'drain', ditch: 'drain' };

/** Water areas (lakes, ponds, river banks, reservoirs) and waterway lines. */
export function isWaterArea(tags: OsmTags): boolean {
  return tags.natural === 'water' || tags.waterway === 'riverbank' || tags.landuse === 'reservoir' || tags.landuse === 'basin' || (tags.water !== undefined && tags.natural !== 'wetland');
}

function isClosed(nodeIds: readonly number[]): boolean {
  return nodeIds.length >= 4 && nodeIds[0] === nodeIds[nodeIds.length - 1];
}

export function waterFromOsm(data: OsmData): FeatureCollection<LineFeature<WaterProperties> | PolygonFeature<WaterProperties>> {
  const features: Array<LineFeature<WaterProperties> | PolygonFeature<WaterProperties>> = [];
  const withName = (properties: WaterProperties, tags: OsmTags): WaterProperties => (tags.name ? { ...properties, name: tags.name } : properties);
  for (const way of data.ways) {
    if (isWaterArea(way.tags) && isClosed(way.nodeIds)) {
      const ring = resolveWay(way, data.nodes);
      if (ring && ring.length >= 4 && way.nodeIds.every((id) => data.nodes.has(id))) {
        features.push({ type: 'Feature', properties: withName({ osmId: way.id, kind: 'area' }, way.tags), geometry: { type: 'Polygon', coordinates: [ring] } });
      }
      continue;
    }
    const kind = way.tags.waterway ? WATER_LINES[way.tags.waterway] : undefined;
    if (kind) {
      const line = resolveWay(way, data.nodes);
      if (line) features.push({ type: 'Feature', properties: withName({ osmId: way.id, kind }, way.tags), geometry: { type: 'LineString', coordinates: line } });
    }
  }
  // Multipolygon water (big rivers such as the Sài Gòn are mapped this way): join the outer member ways into rings.
  const waysById = new Map(data.ways.map((way) => [way.id, way]));
  for (const relation of data.relations) {
    if (relation.tags.type !== 'multipolygon' || !isWaterArea(relation.tags)) continue;
    const outers = relation.members
      .filter((member) => member.type === 'way' && member.role !== 'inner')
      .map((member) => waysById.get(member.ref)?.nodeIds)
      .filter((ids): ids is number[] => ids !== undefined);
    for (const ring of assembleRings(outers)) {
      const positions = ring.map((id) => data.nodes.get(id)).filter((position): position is Position => position !== undefined);
      if (positions.length === ring.length && positions.length >= 4) {
        features.push({ type: 'Feature', properties: withName({ osmId: relation.id, kind: 'area' }, relation.tags), geometry: { type: 'Polygon', coordinates: [positions] } });
      }
    }
  }
  return { type: 'FeatureCollection', features };
}

/**
 * Joins way node lists end to end into closed rings (the usual multipolygon assembly); chains that cannot be
 * closed (members outside the extract) are dropped.
 */
export function assembleRings(parts: readonly (readonly number[])[]): number[][] {
  const open = parts.filter((part) => part.length >= 2).map((part) => [...part]);
  const rings: number[][] = [];
  while (open.length > 0) {
    let current = open.shift() as number[];
    let grown = true;
    while (current[0] !== current[current.length - 1] && grown) {
      grown = false;
      const end = current[current.length - 1];
      for (let index = 0; index < open.length; index += 1) {
        const part = open[index] as number[];
        if (part[0] === end) current = [...current, ...part.slice(1)];
        else if (part[part.length - 1] === end) current = [...current, ...[...part].reverse().slice(1)];
        else continue;
        open.splice(index, 1);
        grown = true;
        break;
      }
    }
    if (current.length >= 4 && current[0] === current[current.length - 1]) rings.push(current);
  }
  return rings;
}

/** Tagged nodes as points, e.g. `highway=traffic_signals` where cameras usually stand. */
export function taggedNodes(data: OsmData, predicate: (tags: OsmTags) => boolean): Array<{ osmId: number; position: Position; tags: OsmTags }> {
  const result: Array<{ osmId: number; position: Position; tags: OsmTags }> = [];
  for (const [id, tags] of data.nodeTags) {
    const position = data.nodes.get(id);
    if (position && predicate(tags)) result.push({ osmId: id, position, tags });
  }
  return result.sort((a, b) => a.osmId - b.osmId);
}
