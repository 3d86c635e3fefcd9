import { z } from 'zod';
import { latitudeSchema, longitudeSchema } from './common';

/** The site the wall shows: the province, its districts and where to look first. */
export const districtSchema = z
  .object({
    code: z.string().min(1).max(32),
    name: z.string().min(1).max(200),
    /** One outer ring of [longitude, latitude] pairs; first and last equal. */
    boundary: z.array(z.tuple([longitudeSchema, latitudeSchema])).min(4),
  })
  .strict();
export type District = z.infer<typeof districtSchema>;

export const siteSchema = z
  .object({
    name: z.string().min(1).max(200),
    center: z.tuple([longitudeSchema, latitudeSchema]),
    zoom: z.number().min(0).max(22),
    districts: z.array(districtSchema).max(500),
  })
  .strict();
export type Site = z.infer<typeof siteSchema>;

/**
 * The code of the district whose boundary holds the point (even-odd ray casting on the outer ring), or
 * undefined outside every district. Boundaries of one province do not overlap; where a point sits on a shared
 * edge the first district listed wins, so the answer is stable.
 */
export function districtAt(districts: readonly Pick<District, 'code' | 'boundary'>[], longitude: number, latitude: number): string | undefined {
  if (!Number.isFinite(longitude) || !Number.isFinite(latitude)) return undefined;
  for (const district of districts) {
    if (ringContains(district.boundary, longitude, latitude)) return district.code;
  }
  return undefined;
}

function ringContains(ring: readonly (readonly [number, number])[], x: number, y: number): boolean {
  let inside = false;
  for (let index = 0, previous = ring.length - 1; index < ring.length; previous = index++) {
    const [xi, yi] = ring[index] as readonly [number, number];
    const [xj, yj] = ring[previous] as readonly [number, number];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}
