import express, { type Request, type Router } from 'express';
import {
  iocError,
  parseWith,
  plateSearchQuerySchema,
  plateTraceQuerySchema,
  userMaySee,
  type CameraSummary,
  type PlateSearchResponse,
  type PlateTraceResponse,
  type SessionUser,
} from '@ioc/schemas';
import type { AuditLog, HashedFileStore, PlateSearchAuditEntry, PlateSightingRepository, StoredPlateSighting } from '@ioc/store';
import { buildTrace, rankSightings, type UnscoredSighting } from './plate-search';

/**
 * Plate search and the vehicle trace (truy vết) over stored plate sightings:
 * - `GET /api/v1/plates/search?plate=&mode=exact|fuzzy&from=&to=&cameraId=&limit=&minScore=`
 * - `GET /api/v1/plates/trace?plate=&mode=&from=&to=` — visits in time order and GeoJSON for the map
 * - `GET /api/v1/plates/crops/:sha256` — a vehicle or plate crop named by a sighting the viewer may see
 * Plates are personal data: every search, trace and crop view — refused ones too — is appended to
 * `plate_search_audit` with the viewer and the query. A district-scoped viewer sees only their districts' sightings.
 */
export interface PlateRouterOptions {
  sightings: Pick<PlateSightingRepository, 'search' | 'withCrop' | 'audit'>;
  files: Pick<HashedFileStore, 'pathOf' | 'has'>;
  /** Searches, traces and crop views also go to the hash-chained audit log (plate_search_audit keeps its rows). */
  audit?: Pick<AuditLog, 'append'> | undefined;
  /** Camera names for the answers (the running cameras; a sighting of a removed camera keeps its id). */
  cameras?: { list(): Array<Pick<CameraSummary, 'id' | 'name'>> } | undefined;
}

/**
 * The signed-in user, as the accounts middleware attaches it (`request.user`); undefined before that runs or
 * for an unauthenticated deployment, which sees the whole province. The one place this router reads the user.
 */
export function viewerOf(request: Request): SessionUser | undefined {
  return (request as Request & { user?: SessionUser }).user;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Fuzzy search reads this many trigram candidates per result asked for, so ranking has room to reorder. */
const FUZZY_CANDIDATES_PER_RESULT = 4;
/** A trace reads at most this many sightings (a month of one vehicle passing a few cameras a day is far fewer). */
const TRACE_MAX_SIGHTINGS = 2000;

export function createPlateRouter(options: PlateRouterOptions): Router {
  const { sightings, files } = options;
  const router = express.Router();

  const cameraNames = (): Map<string, string> => new Map((options.cameras?.list() ?? []).map((camera) => [camera.id, camera.name]));
  const toWire = (rows: readonly StoredPlateSighting[]): UnscoredSighting[] => {
    const names = cameraNames();
    return rows.map((row) => ({ ...row, seenAt: row.seenAt.toISOString(), cameraName: names.get(row.cameraId) ?? null }));
  };
  const scopeOf = (user: SessionUser | undefined) => (user ? { districtCodes: user.districtCodes, cameraIds: user.cameraIds } : undefined);
  const audit = async (request: Request, entry: Omit<PlateSearchAuditEntry, 'user' | 'clientAddress'>) => {
    const user = viewerOf(request);
    const clientAddress = request.ip ?? request.socket.remoteAddress ?? null;
    await sightings.audit({ ...entry, user: user ? { id: user.id, username: user.username, role: user.role } : null, clientAddress });
    await options.audit?.append({ action: `plate.${entry.action}`, target: typeof entry.query.plate === 'string' ? entry.query.plate : typeof entry.query.sha256 === 'string' ? entry.query.sha256 : null, result: entry.result, user: user ?? null, clientAddress, details: { query: entry.query, resultCount: entry.resultCount } });
  };
  /** Parses a query; a refused one is audited too (someone probing plates with bad queries is still searching). */
  const parse = async <T>(request: Request, action: 'search' | 'trace', schema: Parameters<typeof parseWith<T>>[0]): Promise<T> => {
    const parsed = parseWith(schema, request.query, 'query');
    if (parsed.ok) return parsed.value;
    await audit(request, { action, query: { ...request.query }, resultCount: 0, result: 'refused' });
    throw iocError('IOC_ERR_BAD_QUERY', parsed.error.message.replace(/^Invalid/, 'Invalid query'), { issues: [...parsed.error.issues] });
  };

  router.get('/api/v1/plates/search', async (request, response) => {
    const query = await parse(request, 'search', plateSearchQuerySchema);
    const user = viewerOf(request);
    const candidates = await sightings.search(
      { plateCompact: query.plate, mode: query.mode, from: query.from, to: query.to, cameraId: query.cameraId, limit: query.mode === 'fuzzy' ? query.limit * FUZZY_CANDIDATES_PER_RESULT : query.limit },
      scopeOf(user),
    );
    const ranked = rankSightings(query.plate, query.mode, toWire(candidates), query.minScore);
    const body: PlateSearchResponse = { plate: query.plate, mode: query.mode, from: query.from, to: query.to, sightings: ranked.slice(0, query.limit), truncated: ranked.length > query.limit };
    await audit(request, { action: 'search', query: { ...query }, resultCount: body.sightings.length, result: 'served' });
    response.setHeader('Cache-Control', 'private, no-store');
    response.json(body);
  });

  router.get('/api/v1/plates/trace', async (request, response) => {
    const query = await parse(request, 'trace', plateTraceQuerySchema);
    const user = viewerOf(request);
    const candidates = await sightings.search({ plateCompact: query.plate, mode: query.mode, from: query.from, to: query.to, limit: TRACE_MAX_SIGHTINGS }, scopeOf(user));
    const ranked = rankSightings(query.plate, query.mode, toWire(candidates).slice(0, TRACE_MAX_SIGHTINGS), query.minScore);
    const body: PlateTraceResponse = { plate: query.plate, mode: query.mode, from: query.from, to: query.to, ...buildTrace(ranked) };
    await audit(request, { action: 'trace', query: { ...query }, resultCount: ranked.length, result: 'served' });
    response.setHeader('Cache-Control', 'private, no-store');
    response.json(body);
  });

  router.get('/api/v1/plates/crops/:sha256', async (request, response) => {
    const { sha256 } = request.params;
    if (!SHA256_HEX.test(sha256)) throw iocError('IOC_ERR_BAD_QUERY', 'A crop is named by its sha256: 64 lowercase hex digits.', { issues: [{ path: 'sha256', reason: '64 lowercase hex digits' }] });
    const user = viewerOf(request);
    // Served only when a sighting the viewer may see names the file: a hash is not a password.
    const named = (await sightings.withCrop(sha256)).filter((sighting) => !user || userMaySee(user, { districtCode: sighting.districtCode, cameraId: sighting.cameraId }));
    if (named.length === 0 || !files.has(sha256, 'jpg')) {
      await audit(request, { action: 'crop', query: { sha256 }, resultCount: 0, result: 'notFound' });
      throw iocError('IOC_ERR_NOT_FOUND', `No plate sighting crop ${sha256}`);
    }
    await audit(request, { action: 'crop', query: { sha256 }, resultCount: 1, result: 'served' });
    response.setHeader('Content-Type', 'image/jpeg');
    response.setHeader('Cache-Control', 'private, no-store');
    response.setHeader('X-Content-Type-Options', 'nosniff');
    await new Promise<void>((resolve, reject) => response.sendFile(files.pathOf(sha256, 'jpg'), { dotfiles: 'deny' }, (err) => (err ? reject(err) : resolve())));
  });

  return router;
}
