import { randomUUID, createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import express, { type Request, type Response, type Router } from 'express';
import { Zip, ZipDeflate, ZipPassThrough } from 'fflate';
import {
  MAX_EXPORT_CASES,
  VIOLATION_RULE_WORDS,
  iocError,
  parseWith,
  userMaySee,
  violationActionRequestSchema,
  violationExportQuerySchema,
  type OfficerRef,
  type SessionUser,
  type ViolationActionEntry,
  type ViolationActionResponse,
  type ViolationCaseRecord,
  type ViolationRecord,
  type ViolationTrailResponse,
} from '@ioc/schemas';
import type { AuditLog, HashedFileStore, ViolationActionRepository, ViolationRepository } from '@ioc/store';

/**
 * The traffic police's routes on violations: actions (confirm / reject / dispatch) with their append-only
 * trail, and the evidence export for the fining process. Every route is scoped by the viewer: a case outside
 * the officer's districts or cameras is answered 404, exactly like a missing one, so ids do not leak.
 * Mount before the violation router: `/api/v1/violations/export.zip` would otherwise be read as an id.
 */
export interface PoliceRouterOptions {
  violations: Pick<ViolationRepository, 'get' | 'list'>;
  actions: Pick<ViolationActionRepository, 'act' | 'trail' | 'trails' | 'recordExport'>;
  evidence: Pick<HashedFileStore, 'pathOf'>;
  /** Actions and exports also go to the hash-chained audit log (the trail rows stay the case's own record). */
  audit?: Pick<AuditLog, 'append'> | undefined;
  /** Called after each committed action (the `/police` namespace pushes it). */
  onUpdated?: ((violation: ViolationRecord, entry: ViolationActionEntry) => void) | undefined;
}

/** The signed-in user (set by the accounts layer on `request.user`); undefined = no accounts: province-wide. */
export function viewerOf(request: Request): SessionUser | undefined {
  return (request as Request & { user?: SessionUser }).user;
}

export function officerOf(user: SessionUser | undefined): OfficerRef {
  return { userId: user?.id ?? null, username: user?.username ?? null, displayName: user?.displayName ?? null, unit: user?.unit ?? null };
}

export function viewerMaySee(user: SessionUser | undefined, place: { districtCode: string | null; cameraId: string }): boolean {
  return !user || userMaySee(user, place);
}

const EXTENSIONS: Readonly<Record<string, string>> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'video/mp4': 'mp4' };
const extensionOf = (mediaType: string): string => EXTENSIONS[mediaType] ?? 'bin';
const clientAddress = (request: Request): string | null => request.ip ?? request.socket.remoteAddress ?? null;
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** ZIP entry names: ids are the Alert ids (safe characters), but never trust them into a path. */
const safeName = (text: string): string => text.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 120);

export function createPoliceRouter(options: PoliceRouterOptions): Router {
  const { violations, actions, evidence } = options;
  const router = express.Router();
  const notFound = (id: string) => iocError('IOC_ERR_NOT_FOUND', `No violation with id ${id}`);

  router.get('/api/v1/violations/export.zip', async (request, response) => {
    const parsed = parseWith(violationExportQuerySchema, request.query, 'query');
    if (!parsed.ok) throw iocError('IOC_ERR_BAD_QUERY', parsed.error.message.replace(/^Invalid/, 'Invalid query'), { issues: [...parsed.error.issues] });
    const viewer = viewerOf(request);
    const scope = viewer ? { districtCodes: viewer.districtCodes, cameraIds: viewer.cameraIds } : undefined;
    // Only decided cases leave the IOC: confirmed, and dispatched ones again (a re-issued package).
    const statuses = parsed.value.status ? [parsed.value.status] : (['confirmed', 'dispatched'] as const);
    const cases: ViolationRecord[] = [];
    for (const status of statuses) {
      const page = await violations.list({ ...parsed.value, status, limit: MAX_EXPORT_CASES, offset: 0 }, scope);
      if (page.total > MAX_EXPORT_CASES || cases.length + page.violations.length > MAX_EXPORT_CASES) {
        throw iocError('IOC_ERR_BAD_QUERY', `More than ${MAX_EXPORT_CASES} cases match: narrow the time range.`, { issues: [{ path: 'from', reason: `at most ${MAX_EXPORT_CASES} cases per export` }] });
      }
      cases.push(...page.violations);
    }
    cases.sort((left, right) => left.occurredAt.localeCompare(right.occurredAt) || left.id.localeCompare(right.id));
    const exportId = randomUUID();
    // Audited before the bytes go out: a download that breaks off half-way was still an export attempt.
    await actions.recordExport(exportId, cases, viewer ? officerOf(viewer) : undefined, clientAddress(request));
    await options.audit?.append({ action: 'violations.export', target: exportId, result: 'served', user: viewer ?? null, clientAddress: clientAddress(request), details: { cases: cases.length, caseIds: cases.map((item) => item.id), filters: { ...parsed.value } } });
    // The trails read after the export rows, so each record shows this export too.
    const trails = await actions.trails(cases.map((item) => item.id));
    await streamExport(response, { exportId, cases, trails, evidence, exportedBy: officerOf(viewer), filters: parsed.value });
  });

  router.get('/api/v1/violations/:id/actions', async (request, response) => {
    const id = request.params.id;
    const record = await violations.get(id);
    if (!record || !viewerMaySee(viewerOf(request), record)) throw notFound(id);
    const body: ViolationTrailResponse = { violationId: id, actions: await actions.trail(id) };
    response.json(body);
  });

  router.post('/api/v1/violations/:id/actions', express.json({ limit: '16kb' }), async (request, response) => {
    const id = request.params.id;
    const parsed = parseWith(violationActionRequestSchema, request.body, 'body');
    if (!parsed.ok) throw iocError('IOC_ERR_VALIDATION', parsed.error.message, { issues: [...parsed.error.issues] });
    const viewer = viewerOf(request);
    // The scope is checked on the locked row, so a case cannot move out of reach between check and change.
    const entry = await actions.act(
      { violationId: id, action: parsed.value.action, expectedStatus: parsed.value.expectedStatus, reasonCode: parsed.value.reasonCode, note: parsed.value.note, officer: officerOf(viewer), clientAddress: clientAddress(request) },
      (locked) => viewerMaySee(viewer, locked),
    );
    if (!entry) throw notFound(id);
    await options.audit?.append({ action: `violation.${parsed.value.action}`, target: id, result: 'success', user: viewer ?? null, clientAddress: clientAddress(request), details: { ...entry } });
    const violation = await violations.get(id);
    if (!violation) throw notFound(id);
    options.onUpdated?.(violation, entry);
    const body: ViolationActionResponse = { violation, entry };
    response.status(201).json(body);
  });

  return router;
}

interface ExportInput {
  exportId: string;
  cases: ViolationRecord[];
  trails: Map<string, ViolationActionEntry[]>;
  evidence: Pick<HashedFileStore, 'pathOf'>;
  exportedBy: OfficerRef;
  filters: Record<string, unknown>;
}

/**
 * Streams the ZIP: per case `cases/<id>/record.json` and its evidence files, then `manifest.json` and
 * `SHA256SUMS` (every file of the package, `sha256sum -c` format). Images and clips are stored, not
 * recompressed (JPEG and H.264 do not shrink); JSON is deflated. Files are read one at a time, so memory
 * stays at one clip whatever the number of cases.
 */
async function streamExport(response: Response, input: ExportInput): Promise<void> {
  const stamp = new Date().toISOString();
  response.setHeader('Content-Type', 'application/zip');
  response.setHeader('Content-Disposition', `attachment; filename="ioc-violations-${stamp.slice(0, 10)}-${input.exportId.slice(0, 8)}.zip"`);
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('X-Export-Id', input.exportId);
  response.setHeader('X-Export-Cases', String(input.cases.length));
  let failed: Error | undefined;
  const zip = new Zip((err, chunk, final) => {
    if (err) {
      failed = err;
      return;
    }
    response.write(chunk);
    if (final) response.end();
  });
  const sums: Array<{ path: string; sha256: string }> = [];
  const add = async (path: string, bytes: Uint8Array, deflate: boolean) => {
    const entry = deflate ? new ZipDeflate(path, { level: 6 }) : new ZipPassThrough(path);
    zip.add(entry);
    entry.push(bytes, true);
    sums.push({ path, sha256: sha256(bytes) });
    if (failed) throw failed;
    // Let the socket drain between files: fflate hands chunks over synchronously.
    if (response.writableNeedDrain) await new Promise<void>((resolve) => response.once('drain', () => resolve()));
  };
  const manifestCases: Array<{ id: string; record: string; files: number; missing: number; mismatched: number }> = [];
  for (const record of input.cases) {
    const folder = `cases/${safeName(record.id)}`;
    const files: ViolationCaseRecord['files'] = [];
    let missing = 0;
    let mismatched = 0;
    for (const reference of record.evidence) {
      const extension = extensionOf(reference.mediaType);
      const path = `${folder}/${reference.kind}-${reference.sha256.slice(0, 12)}.${extension}`;
      let bytes: Uint8Array;
      try {
        bytes = await readFile(input.evidence.pathOf(reference.sha256, extension));
      } catch {
        missing += 1;
        continue;
      }
      // A file whose bytes no longer hash to the record is still packed, but the record and manifest say so.
      if (sha256(bytes) !== reference.sha256) mismatched += 1;
      await add(path, bytes, false);
      files.push({ kind: reference.kind, mediaType: reference.mediaType, sha256: reference.sha256, path, bytes: bytes.length });
    }
    const caseRecord: ViolationCaseRecord & { exportId: string; exportedAt: string; problems: { missingFiles: number; mismatchedFiles: number } } = {
      schema: 'ioc.violation-case/1',
      exportId: input.exportId,
      exportedAt: stamp,
      violation: record,
      rule: { code: record.rule, ...VIOLATION_RULE_WORDS[record.rule] },
      place: { cameraId: record.cameraId, districtCode: record.districtCode, longitude: record.location?.coordinates[0] ?? null, latitude: record.location?.coordinates[1] ?? null },
      actions: input.trails.get(record.id) ?? [],
      files,
      problems: { missingFiles: missing, mismatchedFiles: mismatched },
    };
    await add(`${folder}/record.json`, new TextEncoder().encode(`${JSON.stringify(caseRecord, null, 2)}\n`), true);
    manifestCases.push({ id: record.id, record: `${folder}/record.json`, files: files.length, missing, mismatched });
  }
  const manifest = { schema: 'ioc.violation-export/1', exportId: input.exportId, exportedAt: stamp, exportedBy: input.exportedBy, filters: input.filters, cases: manifestCases, files: [...sums] };
  await add('manifest.json', new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`), true);
  // SHA256SUMS covers every file above including manifest.json (not itself).
  await add('SHA256SUMS', new TextEncoder().encode(sums.map((item) => `${item.sha256}  ${item.path}\n`).join('')), true);
  zip.end();
  if (failed) throw failed;
}
