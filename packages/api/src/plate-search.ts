import { plateMatchScore, type PlateSighting, type PlateTraceResponse, type PlateTraceVisit } from '@ioc/schemas';

/** A stored sighting before scoring (the repository's row with the camera name added). */
export type UnscoredSighting = Omit<PlateSighting, 'matchScore'>;

/**
 * Scores and orders sightings for one query. Exact: every sighting scores 1, newest first. Fuzzy: the
 * look-alike-aware `plateMatchScore` (O/0, B/8… cost a quarter), those below `minScore` dropped, best first and
 * newest first among equals — trigram candidates from the database are only a prefilter.
 */
export function rankSightings(queryCompact: string, mode: 'exact' | 'fuzzy', sightings: readonly UnscoredSighting[], minScore: number): PlateSighting[] {
  const scored = sightings.map((sighting) => ({ ...sighting, matchScore: mode === 'exact' ? 1 : Math.round(plateMatchScore(queryCompact, sighting.plateCompact) * 1000) / 1000 }));
  return scored
    .filter((sighting) => mode === 'exact' || sighting.matchScore >= minScore)
    .sort((left, right) => right.matchScore - left.matchScore || Date.parse(right.seenAt) - Date.parse(left.seenAt) || right.id.localeCompare(left.id));
}

/** Sightings at the same camera closer than this in time are one visit (read on several lines or by a violation too). */
export const VISIT_GAP_MS = 10 * 60_000;

/**
 * The trace: sightings oldest first, consecutive ones at the same camera within `VISIT_GAP_MS` folded into one
 * visit, numbered from 1; the visits with a position as numbered points and, with two or more, a LineString.
 */
export function buildTrace(sightings: readonly PlateSighting[]): Pick<PlateTraceResponse, 'visits' | 'geojson'> {
  const ordered = [...sightings].sort((left, right) => Date.parse(left.seenAt) - Date.parse(right.seenAt) || left.id.localeCompare(right.id));
  const visits: PlateTraceVisit[] = [];
  for (const sighting of ordered) {
    const last = visits.at(-1);
    if (last && last.cameraId === sighting.cameraId && Date.parse(sighting.seenAt) - Date.parse(last.lastSeenAt) <= VISIT_GAP_MS) {
      last.sightings.push(sighting);
      last.lastSeenAt = sighting.seenAt;
      last.location ??= sighting.location;
      continue;
    }
    visits.push({ order: visits.length + 1, cameraId: sighting.cameraId, cameraName: sighting.cameraName, location: sighting.location, firstSeenAt: sighting.seenAt, lastSeenAt: sighting.seenAt, sightings: [sighting] });
  }
  const placed = visits.filter((visit): visit is PlateTraceVisit & { location: NonNullable<PlateTraceVisit['location']> } => visit.location !== null);
  const features: PlateTraceResponse['geojson']['features'] = [];
  if (placed.length >= 2) features.push({ type: 'Feature', geometry: { type: 'LineString', coordinates: placed.map((visit) => visit.location.coordinates) }, properties: { kind: 'path' } });
  for (const visit of placed) {
    features.push({
      type: 'Feature',
      geometry: { type: 'Point', coordinates: visit.location.coordinates },
      properties: { kind: 'visit', order: visit.order, cameraId: visit.cameraId, cameraName: visit.cameraName, firstSeenAt: visit.firstSeenAt, lastSeenAt: visit.lastSeenAt },
    });
  }
  return { visits, geojson: { type: 'FeatureCollection', features } };
}
