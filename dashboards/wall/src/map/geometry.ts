export type LngLat = [number, number];
export type Bounds = [LngLat, LngLat];

/** Area-weighted centroid of a closed ring (where a district's name goes); the vertex mean if it has no area. */
export function ringCentroid(ring: readonly (readonly [number, number])[]): LngLat {
  let area2 = 0;
  let x = 0;
  let y = 0;
  for (let index = 0; index + 1 < ring.length; index += 1) {
    const [x0, y0] = ring[index] as readonly [number, number];
    const [x1, y1] = ring[index + 1] as readonly [number, number];
    const cross = x0 * y1 - x1 * y0;
    area2 += cross;
    x += (x0 + x1) * cross;
    y += (y0 + y1) * cross;
  }
  if (Math.abs(area2) < 1e-12) {
    const count = Math.max(1, ring.length);
    return [ring.reduce((sum, point) => sum + point[0], 0) / count, ring.reduce((sum, point) => sum + point[1], 0) / count];
  }
  return [x / (3 * area2), y / (3 * area2)];
}

export function boundsOf(points: Iterable<readonly [number, number]>): Bounds | undefined {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const [x, y] of points) {
    if (x < minX) minX = x;
    if (y < minY) minY = y;
    if (x > maxX) maxX = x;
    if (y > maxY) maxY = y;
  }
  return Number.isFinite(minX) ? [[minX, minY], [maxX, maxY]] : undefined;
}

export function contains(bounds: Bounds, point: readonly [number, number]): boolean {
  return point[0] >= bounds[0][0] && point[0] <= bounds[1][0] && point[1] >= bounds[0][1] && point[1] <= bounds[1][1];
}

export interface ScreenBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

function overlaps(a: ScreenBox, b: ScreenBox): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/**
 * Greedy label placement: in priority order, keep an item if its box overlaps none kept so far. Quadratic, which
 * is fine for the tens of labels a wall shows; items without a box (off screen) are left out.
 */
export function declutter<T>(items: readonly T[], boxOf: (item: T) => ScreenBox | undefined, priority: (item: T) => number): T[] {
  const ranked = items.map((item) => ({ item, box: boxOf(item), rank: priority(item) })).sort((a, b) => b.rank - a.rank);
  const kept: Array<{ item: T; box: ScreenBox }> = [];
  for (const candidate of ranked) {
    const box = candidate.box;
    if (!box) continue;
    if (kept.every((other) => !overlaps(other.box, box))) kept.push({ item: candidate.item, box });
  }
  return kept.map((entry) => entry.item);
}
