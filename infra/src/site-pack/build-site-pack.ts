import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { siteSchema, type Site } from '@ioc/schemas';
import { districtsFromBoundaries, type BoundaryInputFeature, type Bounds } from './boundaries';
import { roadsFromOsm, waterFromOsm, type Position, type RoadClass } from './features';
import { parseOsmXml, type OsmData } from './osm';
import { parseOsmPbf } from './osm-pbf';

/**
 * A site pack: everything the wall needs to draw a place offline, in one folder the API serves
 * (`basemap: { kind: 'geojson', directory }`):
 *   site.json            the Site (name, center, zoom, districts with code/name/boundary)
 *   roads.geojson        LineStrings with `class` (motorway … service, path, other), `name`, `ref`, `oneway`
 *   water.geojson        water areas (Polygon) and waterways (LineString)
 *   boundaries.geojson   the districts' outlines as Polygons with `code` and `name`
 *   cameras.json         optional: [{ id, name, location }] — positions to copy into the config's cameras
 *   sensors.json         optional: the same for sensors
 *   pack.json            what it was built from, counts, and the attribution the sources require
 */
export const SITE_PACK_FILES = { site: 'site.json', roads: 'roads.geojson', water: 'water.geojson', boundaries: 'boundaries.geojson', cameras: 'cameras.json', sensors: 'sensors.json', manifest: 'pack.json' } as const;

export interface PackPoint {
  id: string;
  name: string;
  location: { type: 'Point'; coordinates: [number, number] };
}

export interface SitePackManifest {
  schemaVersion: 1;
  name: string;
  builtAt: string;
  sources: { osm: string; boundaries: string; cameras?: string; sensors?: string };
  attribution: string[];
  bounds: Bounds;
  counts: { roads: number; roadsByClass: Partial<Record<RoadClass, number>>; water: number; districts: number; cameras: number; sensors: number };
}

export interface BuildSitePackOptions {
  osmPath: string;
  boundariesPath: string;
  outDirectory: string;
  name?: string;
  camerasPath?: string;
  sensorsPath?: string;
  /** Cut district outlines to the extract (for a city-centre extract inside a large unit). */
  clipBoundaries?: boolean;
  /** For tests: a fixed build time. */
  builtAt?: Date;
}

export function readOsmFile(filePath: string): OsmData {
  const bytes = readFileSync(filePath);
  return /\.pbf$/i.test(filePath) ? parseOsmPbf(bytes) : parseOsmXml(bytes.toString('utf8'));
}

/** Extent of the given positions (the roads' nodes); the file's bounds when there are none. */
export function extentOf(data: OsmData, positions: Iterable<Position>): Bounds | undefined {
  let west = Infinity;
  let south = Infinity;
  let east = -Infinity;
  let north = -Infinity;
  for (const [lng, lat] of positions) {
    west = Math.min(west, lng);
    south = Math.min(south, lat);
    east = Math.max(east, lng);
    north = Math.max(north, lat);
  }
  if (Number.isFinite(west)) return [[west, south], [east, north]];
  return data.bounds;
}

/** The Web Mercator zoom at which `bounds` fills a `widthPixels` × `heightPixels` view (512-px tiles, as MapLibre). */
export function zoomToFit(bounds: Bounds, widthPixels = 1600, heightPixels = 900): number {
  const [[west, south], [east, north]] = bounds;
  const mercatorY = (lat: number) => Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360));
  const spanX = Math.max(1e-9, (east - west) / 360);
  const spanY = Math.max(1e-9, (mercatorY(north) - mercatorY(south)) / (2 * Math.PI));
  const zoom = Math.min(Math.log2(widthPixels / 512 / spanX), Math.log2(heightPixels / 512 / spanY));
  return Math.max(0, Math.min(20, Math.floor(zoom * 2) / 2));
}

/** Points from a GeoJSON FeatureCollection of Points or a JSON array of { id, name, location | lng/lat }. */
export function readPoints(text: string, kind: string): PackPoint[] {
  const body = JSON.parse(text) as unknown;
  const items: unknown[] = Array.isArray(body) ? body : body && typeof body === 'object' && Array.isArray((body as { features?: unknown }).features) ? (body as { features: unknown[] }).features : [];
  const points: PackPoint[] = [];
  items.forEach((item, index) => {
    if (!item || typeof item !== 'object') return;
    const record = item as Record<string, unknown>;
    const properties = (record.properties ?? {}) as Record<string, unknown>;
    const geometry = (record.geometry ?? record.location) as { type?: string; coordinates?: unknown } | undefined;
    const coordinates = geometry?.type === 'Point' && Array.isArray(geometry.coordinates) ? geometry.coordinates : [record.lng ?? record.longitude, record.lat ?? record.latitude];
    const [lng, lat] = coordinates.map(Number) as [number, number];
    if (!(Number.isFinite(lng) && Number.isFinite(lat) && Math.abs(lng) <= 180 && Math.abs(lat) <= 90)) return;
    const rawId = record.id ?? properties.id ?? `${kind}-${index + 1}`;
    const id = String(rawId).replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 128);
    const name = String(record.name ?? properties.name ?? `${kind} ${index + 1}`).slice(0, 200);
    points.push({ id, name, location: { type: 'Point', coordinates: [lng, lat] } });
  });
  return points;
}

export interface SitePack {
  site: Site;
  manifest: SitePackManifest;
}

/** Reads the inputs, writes the pack folder, and returns its site and manifest. */
export function buildSitePack(options: BuildSitePackOptions): SitePack {
  const data = readOsmFile(options.osmPath);
  const roads = roadsFromOsm(data);
  const water = waterFromOsm(data);
  // The extract's own bounds are what was asked for; ways reach past them (their nodes come whole).
  const extent = data.bounds ?? extentOf(data, roads.features.flatMap((feature) => feature.geometry.coordinates));
  if (!extent) throw new Error(`${options.osmPath}: no roads and no <bounds>; is it an OpenStreetMap extract?`);

  const boundaryInput = JSON.parse(readFileSync(options.boundariesPath, 'utf8')) as { features?: BoundaryInputFeature[] };
  const districts = districtsFromBoundaries(boundaryInput.features ?? [], { within: extent, clip: options.clipBoundaries ?? false });
  if (districts.length === 0) throw new Error(`${options.boundariesPath}: no unit overlaps the extract ${JSON.stringify(extent)}; pick the boundary file of the extract's province`);

  const center: [number, number] = [round6((extent[0][0] + extent[1][0]) / 2), round6((extent[0][1] + extent[1][1]) / 2)];
  const name = options.name ?? (districts.length === 1 ? (districts[0]?.name as string) : path.basename(options.osmPath).replace(/\.osm(\.pbf)?$/i, ''));
  const site = siteSchema.parse({ name, center, zoom: zoomToFit(extent), districts });

  const cameras = options.camerasPath ? readPoints(readFileSync(options.camerasPath, 'utf8'), 'camera') : [];
  const sensors = options.sensorsPath ? readPoints(readFileSync(options.sensorsPath, 'utf8'), 'sensor') : [];

  const roadsByClass: Partial<Record<RoadClass, number>> = {};
  for (const feature of roads.features) roadsByClass[feature.properties.class] = (roadsByClass[feature.properties.class] ?? 0) + 1;
  const manifest: SitePackManifest = {
    schemaVersion: 1,
    name,
    builtAt: (options.builtAt ?? new Date()).toISOString(),
    sources: {
      osm: path.basename(options.osmPath),
      boundaries: path.basename(options.boundariesPath),
      ...(options.camerasPath ? { cameras: path.basename(options.camerasPath) } : {}),
      ...(options.sensorsPath ? { sensors: path.basename(options.sensorsPath) } : {}),
    },
    attribution: ['© OpenStreetMap contributors (ODbL)', `Boundaries: ${path.basename(options.boundariesPath)}`],
    bounds: extent,
    counts: { roads: roads.features.length, roadsByClass, water: water.features.length, districts: districts.length, cameras: cameras.length, sensors: sensors.length },
  };

  mkdirSync(options.outDirectory, { recursive: true });
  const write = (file: string, value: unknown) => writeFileSync(path.join(options.outDirectory, file), `${JSON.stringify(value)}\n`);
  write(SITE_PACK_FILES.site, site);
  write(SITE_PACK_FILES.roads, roads);
  write(SITE_PACK_FILES.water, water);
  write(SITE_PACK_FILES.boundaries, {
    type: 'FeatureCollection',
    features: districts.map((district) => ({ type: 'Feature', properties: { code: district.code, name: district.name }, geometry: { type: 'Polygon', coordinates: [district.boundary] } })),
  });
  if (options.camerasPath) write(SITE_PACK_FILES.cameras, cameras);
  if (options.sensorsPath) write(SITE_PACK_FILES.sensors, sensors);
  writeFileSync(path.join(options.outDirectory, SITE_PACK_FILES.manifest), `${JSON.stringify(manifest, null, 2)}\n`);
  return { site, manifest };
}

function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}

/** The Site of a pack folder, validated; undefined when the folder has no site.json. */
export function readSitePackSite(directory: string): Site | undefined {
  let text: string;
  try {
    text = readFileSync(path.join(directory, SITE_PACK_FILES.site), 'utf8');
  } catch {
    return undefined;
  }
  return siteSchema.parse(JSON.parse(text));
}
