import type { PoliceAction, RejectReason, ViolationActionResponse, ViolationListResponse, ViolationRecord, ViolationStatus, ViolationTrailResponse } from '@ioc/schemas';
import { callApi, postJson } from '../field-reports/http';

/** Every call the police console makes (packages/api/src/violations.ts and police.ts). */
const BASE = '/api/v1/violations';
const path = (id: string, rest = '') => `${BASE}/${encodeURIComponent(id)}${rest}`;

export const policeApi = {
  list: (params: URLSearchParams) => callApi<ViolationListResponse>(`${BASE}?${params.toString()}${params.size > 0 ? '&' : ''}limit=200`),
  get: (id: string) => callApi<{ violation: ViolationRecord }>(path(id)),
  trail: (id: string) => callApi<ViolationTrailResponse>(path(id, '/actions')),
  act: (id: string, body: { action: PoliceAction; expectedStatus: ViolationStatus; reasonCode?: RejectReason; note?: string }) => postJson<ViolationActionResponse>(path(id, '/actions'), body),
  /** Viewing evidence is audited by the API (evidence_access), one row per file fetched. */
  evidenceUrl: (id: string, sha256: string) => path(id, `/evidence/${sha256}`),
  exportUrl: (params: URLSearchParams) => `${BASE}/export.zip${params.size > 0 ? `?${params.toString()}` : ''}`,
};
