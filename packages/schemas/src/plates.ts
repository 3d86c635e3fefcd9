import { z } from 'zod';
import { geoPointSchema, isoDateTimeSchema } from './common';

/**
 * Plate sightings (a vehicle's plate read at a camera at a time) and the trace (truy vết) built from them:
 * `GET /api/v1/plates/search` and `GET /api/v1/plates/trace`. Sightings are personal data: every search is
 * logged with the viewer and the query, and a district-scoped officer sees only the sightings of their districts.
 */

/** Where a sighting came from: a violation's plate read, or a counting-line crossing of a camera that reads plates. */
export const plateSightingSourceSchema = z.enum(['violation', 'crossing']);
export type PlateSightingSource = z.infer<typeof plateSightingSourceSchema>;

/** A time range longer than this is refused: a trace is a case, not a bulk export of everyone's movements. */
export const PLATE_SEARCH_MAX_RANGE_DAYS = 31;
/** Fewer letters and digits than this match too many plates to be a search for one vehicle. */
export const PLATE_QUERY_MIN_CHARACTERS = 4;
/** The longest Vietnamese plate is 9 letters and digits (`51LD12345`); allow one stray character from OCR. */
export const PLATE_QUERY_MAX_CHARACTERS = 10;

/**
 * The form plates are searched in: upper case, letters and digits only, with Vietnamese `Đ` read as `D`
 * (plates print D; keyboards may type Đ). `30e-558.78`, `30E 558 78` and `30E55878` are all `30E55878`.
 */
export function plateSearchKey(text: string): string {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'D').toUpperCase().replace(/[^0-9A-Z]/g, '');
}

const plateQueryTextSchema = z
  .string()
  .max(40)
  .transform((text) => plateSearchKey(text))
  .refine((key) => key.length >= PLATE_QUERY_MIN_CHARACTERS && key.length <= PLATE_QUERY_MAX_CHARACTERS, {
    message: `a plate of ${PLATE_QUERY_MIN_CHARACTERS} to ${PLATE_QUERY_MAX_CHARACTERS} letters and digits, e.g. 30E-558.78`,
  })
  .refine((key) => /[0-9]/.test(key), { message: 'a plate has digits, e.g. 30E-558.78' });

/** Default range when `from` is absent: the last seven days before `to`. */
const DEFAULT_RANGE_MS = 7 * 86_400_000;

function withTimeRange<T extends { from?: string | undefined; to?: string | undefined }>(query: T, nowMs: number): T & { from: string; to: string } {
  const toMs = query.to ? Date.parse(query.to) : nowMs;
  const fromMs = query.from ? Date.parse(query.from) : toMs - DEFAULT_RANGE_MS;
  return { ...query, from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() };
}

const timeRangeShape = {
  from: isoDateTimeSchema.optional().describe('start of the range (default: seven days before `to`)'),
  to: isoDateTimeSchema.optional().describe('end of the range (default: now)'),
};

function verifyTimeRange(query: { from?: string | undefined; to?: string | undefined }, context: z.RefinementCtx): void {
  const toMs = query.to ? Date.parse(query.to) : Date.now();
  const fromMs = query.from ? Date.parse(query.from) : toMs - DEFAULT_RANGE_MS;
  if (fromMs >= toMs) context.addIssue({ code: 'custom', message: 'from must be before to', path: ['to'] });
  else if (toMs - fromMs > PLATE_SEARCH_MAX_RANGE_DAYS * 86_400_000) context.addIssue({ code: 'custom', message: `a range of at most ${PLATE_SEARCH_MAX_RANGE_DAYS} days`, path: ['from'] });
}

/** `GET /api/v1/plates/search?plate=&mode=exact|fuzzy&from=&to=&cameraId=&limit=` */
export const plateSearchQuerySchema = z
  .object({
    plate: plateQueryTextSchema.describe('the plate in any common writing: 30E-558.78, 30e 558 78, 30E55878'),
    mode: z.enum(['exact', 'fuzzy']).default('exact'),
    ...timeRangeShape,
    cameraId: z.string().min(1).max(128).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    minScore: z.coerce.number().min(0.5).max(1).default(0.75).describe('fuzzy: the lowest match score returned'),
  })
  .strict()
  .superRefine(verifyTimeRange)
  .transform((query) => withTimeRange(query, Date.now()));
export type PlateSearchQuery = z.output<typeof plateSearchQuerySchema>;

/** `GET /api/v1/plates/trace?plate=&from=&to=&mode=` */
export const plateTraceQuerySchema = z
  .object({
    plate: plateQueryTextSchema,
    mode: z.enum(['exact', 'fuzzy']).default('exact'),
    ...timeRangeShape,
    minScore: z.coerce.number().min(0.5).max(1).default(0.85),
  })
  .strict()
  .superRefine(verifyTimeRange)
  .transform((query) => withTimeRange(query, Date.now()));
export type PlateTraceQuery = z.output<typeof plateTraceQuerySchema>;

export const plateSightingSchema = z
  .object({
    id: z.string(),
    cameraId: z.string(),
    cameraName: z.string().nullable(),
    seenAt: isoDateTimeSchema,
    /** In the official layout (`30E-558.78`) when the read fits a plate shape, else as read. */
    plateText: z.string().max(32),
    plateCompact: z.string().max(32),
    /** Reader confidence, 0..1. */
    confidence: z.number().min(0).max(1),
    source: plateSightingSourceSchema,
    vehicleClass: z.string().nullable(),
    sessionId: z.string().nullable(),
    trackId: z.number().int().nullable(),
    lineId: z.string().nullable(),
    direction: z.enum(['forward', 'backward']).nullable(),
    violationId: z.string().nullable(),
    vehicleCropSha256: z.string().nullable(),
    plateCropSha256: z.string().nullable(),
    location: geoPointSchema.nullable(),
    districtCode: z.string().nullable(),
    /** How alike the read plate is to the query, 0..1 (1 for an exact search). */
    matchScore: z.number().min(0).max(1),
  })
  .strict();
export type PlateSighting = z.infer<typeof plateSightingSchema>;

export interface PlateSearchResponse {
  plate: string;
  mode: 'exact' | 'fuzzy';
  from: string;
  to: string;
  sightings: PlateSighting[];
  /** True when more sightings matched than `limit`. */
  truncated: boolean;
}

/** One stop of a trace: consecutive sightings at the same camera (one pass may be read on several frames or lines). */
export interface PlateTraceVisit {
  order: number;
  cameraId: string;
  cameraName: string | null;
  location: { type: 'Point'; coordinates: [number, number] } | null;
  firstSeenAt: string;
  lastSeenAt: string;
  sightings: PlateSighting[];
}

export interface PlateTraceResponse {
  plate: string;
  mode: 'exact' | 'fuzzy';
  from: string;
  to: string;
  visits: PlateTraceVisit[];
  /** The visits with a position, in order: a LineString (two or more) and one Point per visit, for the map. */
  geojson: {
    type: 'FeatureCollection';
    features: Array<
      | { type: 'Feature'; geometry: { type: 'LineString'; coordinates: Array<[number, number]> }; properties: { kind: 'path' } }
      | { type: 'Feature'; geometry: { type: 'Point'; coordinates: [number, number] }; properties: { kind: 'visit'; order: number; cameraId: string; cameraName: string | null; firstSeenAt: string; lastSeenAt: string } }
    >;
  };
}
