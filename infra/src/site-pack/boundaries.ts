import type { District } from '@ioc/schemas';
import type { Position } from './features';

export type Bounds = [[number, number], [number, number]];

interface GeojsonGeometry {
  type: string;
  coordinates?: unknown;
}
export interface BoundaryInputFeature {
  type?: string;
  id?: string | number;
  properties?: Record<string, unknown> | null;
  geometry?: GeojsonGeometry | null;
}

/** Codes and names under the keys the usual boundary files use (vn-admin `level2_id`/`level1_id`, OSM `ref`, …). */
const CODE_KEYS = ['code', 'level3_id', 'level2_id', 'level1_id', 'ma', 'ref', 'id'];
const NAME_KEYS = ['name', 'ten', 'name_vi', 'NAME_2', 'NAME_1', 'name:vi'];

function firstString(properties: Record<string, unknown>, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = properties[key];
    if (typeof value === 'string' && value.trim() !== '') return value.trim();
    if (typeof value === 'number') return String(value);
  }
  return undefined;
}

/** Shoelace area in square degrees (sign: orientation); enough to compare rings of one region. */
export function ringArea(ring: readonly Position[]): number {
  let sum = 0;
  for (let index = 0; index + 1 < ring.length; index += 1) {
    const [x0, y0] = ring[index] as Position;
    const [x1, y1] = ring[index + 1] as Position;
    sum += x0 * y1 - x1 * y0;
  }
  return sum / 2;
}

/** Sutherland–Hodgman clip of a ring to an axis-aligned box; the result is closed, or empty when nothing is inside. */
export function clipRing(ring: readonly Position[], bounds: Bounds): Position[] {
  const [[west, south], [east, north]] = bounds;
  const edges: Array<{ inside: (p: Position) => boolean; cross: (a: Position, b: Position) => Position }> = [
    { inside: (p) => p[0] >= west, cross: (a, b) => [west, a[1] + ((b[1] - a[1]) * (west - a[0])) / (b[0] - a[0])] },
    { inside: (p) => p[0] <= east, cross: (a, b) => [east, a[1] + ((b[1] - a[1]) * (east - a[0])) / (b[0] - a[0])] },
    { inside: (p) => p[1] >= south, cross: (a, b) => [a[0] + ((b[0] - a[0]) * (south - a[1])) / (b[1] - a[1]), south] },
    { inside: (p) => p[1] <= north, cross: (a, b) => [a[0] + ((b[0] - a[0]) * (north - a[1])) / (b[1] - a[1]), north] },
  ];
  let points: Position[] = ring.length > 1 && samePoint(ring[0] as Position, ring[ring.length - 1] as Position) ? ring.slice(0, -1) : [...ring];
  for (const edge of edges) {
    if (points.length === 0) break;
    const input = points;
    points = [];
    for (let index = 0; index < input.length; index += 1) {
      const current = input[index] as Position;
      const previous = input[(index + input.length - 1) % input.length] as Position;
      if (edge.inside(current)) {
        if (!edge.inside(previous)) points.push(edge.cross(previous, current));
        points.push(current);
      } else if (edge.inside(previous)) {
        points.push(edge.cross(previous, current));
      }
    }
  }
  if (points.length < 3) return [];
  const closed = [...points, points[0] as Position];
  return Math.abs(ringArea(closed)) > 0 ? closed : [];
}

function samePoint(a: Position, b: Position): boolean {
  return a[0] === b[0] && a[1] === b[1];
}

/** Douglas–Peucker on a closed ring (in degrees); keeps the ring closed and at least four points. */
export function simplifyRing(ring: readonly Position[], tolerance: number): Position[] {
  if (tolerance <= 0 || ring.length <= 5) return [...ring];
  const keep = new Uint8Array(ring.length);
  keep[0] = 1;
  keep[ring.length - 1] = 1;
  const stack: Array<[number, number]> = [[0, ring.length - 1]];
  // A closed ring's first and last points coincide: split it at its farthest point first.
  let far = 1;
  let farDistance = -1;
  for (let index = 1; index < ring.length - 1; index += 1) {
    const distance = Math.hypot((ring[index] as Position)[0] - (ring[0] as Position)[0], (ring[index] as Position)[1] - (ring[0] as Position)[1]);
    if (distance > farDistance) {
      farDistance = distance;
      far = index;
    }
  }
  keep[far] = 1;
  stack.pop();
  stack.push([0, far], [far, ring.length - 1]);
  while (stack.length > 0) {
    const [start, end] = stack.pop() as [number, number];
    const [ax, ay] = ring[start] as Position;
    const [bx, by] = ring[end] as Position;
    const length = Math.hypot(bx - ax, by - ay);
    let worst = -1;
    let worstDistance = 0;
    for (let index = start + 1; index < end; index += 1) {
      const [px, py] = ring[index] as Position;
      const distance = length === 0 ? Math.hypot(px - ax, py - ay) : Math.abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / length;
      if (distance > worstDistance) {
        worstDistance = distance;
        worst = index;
      }
    }
    if (worst >= 0 && worstDistance > tolerance) {
      keep[worst] = 1;
      stack.push([start, worst], [worst, end]);
    }
  }
  const result = ring.filter((_point, index) => keep[index] === 1);
  return result.length >= 4 ? result : [...ring];
}

function outerRings(geometry: GeojsonGeometry | null | undefined): Position[][] {
  if (!geometry) return [];
  if (geometry.type === 'Polygon') return [((geometry.coordinates as Position[][]) ?? [])[0] ?? []].filter((ring) => ring.length >= 4);
  if (geometry.type === 'MultiPolygon') return ((geometry.coordinates as Position[][][]) ?? []).map((polygon) => polygon[0] ?? []).filter((ring) => ring.length >= 4);
  return [];
}

export interface DistrictSelection {
  /** Keep only units that overlap these bounds (the OSM extract); all when absent. */
  within?: Bounds;
  /** Clip each kept unit's outline to `within` (a city-centre extract inside a large unit). */
  clip?: boolean;
  /** Douglas–Peucker tolerance in degrees (default 0.00005, about 5 m). */
  simplifyDegrees?: number;
}

/**
 * Districts for `site.json` from a boundary GeoJSON: one outer ring per unit (the largest polygon of a
 * MultiPolygon), its code and name from the usual property keys. Units that do not overlap `within` are left
 * out; with `clip` the ring is cut to it.
 */
export function districtsFromBoundaries(features: readonly BoundaryInputFeature[], selection: DistrictSelection = {}): District[] {
  const districts: District[] = [];
  const usedCodes = new Set<string>();
  features.forEach((feature, index) => {
    const properties = feature.properties ?? {};
    let rings = outerRings(feature.geometry);
    if (selection.within) {
      const within = selection.within;
      const clipped = rings.map((ring) => clipRing(ring, within)).filter((ring) => ring.length >= 4);
      if (clipped.length === 0) return;
      if (selection.clip) rings = clipped;
      else rings = rings.filter((_ring, ringIndex) => clipRing(rings[ringIndex] as Position[], within).length >= 4);
    }
    const largest = rings.reduce<Position[] | undefined>((best, ring) => (!best || Math.abs(ringArea(ring)) > Math.abs(ringArea(best)) ? ring : best), undefined);
    if (!largest) return;
    let code = (firstString(properties, CODE_KEYS) ?? (feature.id !== undefined ? String(feature.id) : `unit-${index + 1}`)).slice(0, 32);
    while (usedCodes.has(code)) code = `${code.slice(0, 28)}-${index}`;
    usedCodes.add(code);
    const name = (firstString(properties, NAME_KEYS) ?? code).slice(0, 200);
    const boundary = simplifyRing(largest, selection.simplifyDegrees ?? 0.00005).map(([lng, lat]) => [Math.round(lng * 1e6) / 1e6, Math.round(lat * 1e6) / 1e6] as [number, number]);
    districts.push({ code, name, boundary });
  });
  return districts;
}
