import express, { type Request, type Router } from 'express';
import { iocError, parseWith, userMaySee, violationListQuerySchema, type EvidenceAccessResult, type ViolationListResponse, type ViolationRecord, type ViolationVerifyResponse } from '@ioc/schemas';
import type { AuditLog, HashedFileStore, ViolationRepository } from '@ioc/store';
import { userOf } from './access/access-control';

/**
 * Traffic violations recorded by the live cameras and their evidence:
 * - `GET /api/v1/violations?cameraId=&rule=&status=&from=&to=&limit=&offset=` — newest first, with `total`
 * - `GET /api/v1/violations/:id`
 * - `GET /api/v1/violations/:id/evidence/:sha256` — the file, only if the record names that hash
 * - `GET /api/v1/violations/:id/verify` — every file hashed again against the record
 * Every evidence view and verification is appended to `evidence_access` (time, client address, target, result),
 * refusals included: an audit that only logs successes would hide someone probing for files.
 */
export type ViolationReader = Pick<ViolationRepository, 'list' | 'get' | 'recordAccess'>;

export interface ViolationRouterOptions {
  violations: ViolationReader;
  evidence: Pick<HashedFileStore, 'pathOf' | 'has' | 'verify'>;
  /** Evidence views and verifications also go to the hash-chained audit log, with the user (evidence_access keeps its rows). */
  audit?: Pick<AuditLog, 'append'> | undefined;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** File extension of each evidence media type (the store names files `<sha256>.<extension>`). */
const EXTENSIONS: Readonly<Record<string, string>> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'video/mp4': 'mp4' };

function extensionOf(mediaType: string): string {
  return EXTENSIONS[mediaType] ?? 'bin';
}

function clientAddress(request: Request): string | null {
  return request.ip ?? request.socket.remoteAddress ?? null;
}

export function createViolationRouter(options: ViolationRouterOptions): Router {
  const { violations, evidence } = options;
  const router = express.Router();
  /** A record outside the user's districts or cameras is answered as if it did not exist. */
  const visible = (request: Request, record: ViolationRecord | undefined): ViolationRecord | undefined => {
    const user = userOf(request);
    return record && (!user || userMaySee(user, { districtCode: record.districtCode, cameraId: record.cameraId })) ? record : undefined;
  };
  const auditLog = async (request: Request, action: 'evidence.view' | 'evidence.verify', target: string, result: string, details: Record<string, unknown>) => {
    const user = userOf(request);
    await options.audit?.append({ action, target, result, user: user ?? null, clientAddress: clientAddress(request), details });
  };

  router.get('/api/v1/violations', async (request, response) => {
    const parsed = parseWith(violationListQuerySchema, request.query, 'query');
    if (!parsed.ok) throw iocError('IOC_ERR_BAD_QUERY', parsed.error.message.replace(/^Invalid/, 'Invalid query'), { issues: [...parsed.error.issues] });
    const user = userOf(request);
    const page = await violations.list(parsed.value, user ? { districtCodes: user.districtCodes, cameraIds: user.cameraIds } : undefined);
    const body: ViolationListResponse = { violations: page.violations, total: page.total, limit: parsed.value.limit, offset: parsed.value.offset };
    response.json(body);
  });

  router.get('/api/v1/violations/:id', async (request, response) => {
    const record = visible(request, await violations.get(request.params.id));
    if (!record) throw iocError('IOC_ERR_NOT_FOUND', `No violation with id ${request.params.id}`);
    response.json({ violation: record });
  });

  router.get('/api/v1/violations/:id/evidence/:sha256', async (request, response) => {
    const { id, sha256 } = request.params;
    if (!SHA256_HEX.test(sha256)) throw iocError('IOC_ERR_BAD_QUERY', 'The evidence file is named by its sha256: 64 lowercase hex digits.', { issues: [{ path: 'sha256', reason: '64 lowercase hex digits' }] });
    const record = visible(request, await violations.get(id));
    const audit = async (result: EvidenceAccessResult) => {
      await violations.recordAccess({ violationId: id, sha256, action: 'view', result, clientAddress: clientAddress(request) });
      await auditLog(request, 'evidence.view', id, result, { sha256 });
    };
    if (!record) {
      await audit('unknownViolation');
      throw iocError('IOC_ERR_NOT_FOUND', `No violation with id ${id}`);
    }
    const reference = record.evidence.find((file) => file.sha256 === sha256);
    if (!reference) {
      await audit('notInRecord');
      throw iocError('IOC_ERR_NOT_FOUND', `Violation ${id} has no evidence file ${sha256}`);
    }
    const extension = extensionOf(reference.mediaType);
    if (!evidence.has(sha256, extension)) {
      await audit('missingFile');
      throw iocError('IOC_ERR_NOT_FOUND', `The evidence file ${sha256} of violation ${id} is missing from the evidence directory`);
    }
    // Audited before the bytes leave: a view that fails mid-transfer is still a view.
    await audit('served');
    response.setHeader('Content-Type', reference.mediaType);
    // Files never change under a name, but access is audited: the browser must ask each time.
    response.setHeader('Cache-Control', 'private, no-store');
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Content-Disposition', `inline; filename="${reference.kind}-${sha256.slice(0, 12)}.${extension}"`);
    await new Promise<void>((resolve, reject) => response.sendFile(evidence.pathOf(sha256, extension), { dotfiles: 'deny' }, (err) => (err ? reject(err) : resolve())));
  });

  router.get('/api/v1/violations/:id/verify', async (request, response) => {
    const { id } = request.params;
    const record: ViolationRecord | undefined = visible(request, await violations.get(id));
    if (!record) {
      await violations.recordAccess({ violationId: id, sha256: null, action: 'verify', result: 'unknownViolation', clientAddress: clientAddress(request) });
      await auditLog(request, 'evidence.verify', id, 'unknownViolation', {});
      throw iocError('IOC_ERR_NOT_FOUND', `No violation with id ${id}`);
    }
    const files = await Promise.all(
      record.evidence.map(async (file) => {
        const check = await evidence.verify(file.sha256, extensionOf(file.mediaType));
        return { kind: file.kind, sha256: file.sha256, mediaType: file.mediaType, result: check.result, actualSha256: check.actualSha256 };
      }),
    );
    await violations.recordAccess({ violationId: id, sha256: null, action: 'verify', result: 'verified', clientAddress: clientAddress(request) });
    await auditLog(request, 'evidence.verify', id, 'verified', {});
    const body: ViolationVerifyResponse = { violationId: id, ok: files.length > 0 && files.every((file) => file.result === 'ok'), checkedAt: new Date().toISOString(), files };
    response.json(body);
  });

  return router;
}
