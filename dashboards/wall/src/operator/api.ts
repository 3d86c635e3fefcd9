import type { FieldReport, FieldReportHistoryEntry } from '@ioc/schemas';
import { callApi, postForm, postJson } from '../field-reports/http';

/**
 * Every call the operator console makes (packages/api/src/open311-field-reports.ts). The operator's name goes in
 * each body until sessions and roles exist; then it comes from the session and only this module changes.
 */
const BASE = '/api/v1/field-reports';

export interface ReportList {
  asOf: string;
  total: number;
  reports: FieldReport[];
}

export interface ReportDetail {
  report: FieldReport;
  history: FieldReportHistoryEntry[];
}

const path = (id: string, action?: string) => `${BASE}/${encodeURIComponent(id)}${action ? `/${action}` : ''}`;

export const operatorApi = {
  list: (query: string) => callApi<ReportList>(`${BASE}?${query}`),
  get: (id: string) => callApi<ReportDetail>(path(id)),
  categorise: (id: string, body: { operator: string; serviceCode: string; note?: string }) => postJson<{ report: FieldReport }>(path(id, 'categorise'), body),
  assign: (id: string, body: { operator: string; agency: string; dueAt?: string; note?: string }) => postJson<{ report: FieldReport }>(path(id, 'assign'), body),
  note: (id: string, body: { operator: string; note: string; public: boolean }) => postJson<{ report: FieldReport }>(path(id, 'notes'), body),
  resolve: (id: string, body: { operator: string; note: string }, photo: File | undefined) => {
    if (!photo) return postJson<{ report: FieldReport }>(path(id, 'resolve'), body);
    const form = new FormData();
    form.set('operator', body.operator);
    form.set('note', body.note);
    form.set('media', photo, photo.name);
    return postForm<{ report: FieldReport }>(path(id, 'resolve'), form);
  },
  reopen: (id: string, body: { operator: string; note: string }) => postJson<{ report: FieldReport }>(path(id, 'reopen'), body),
  /** Photos are served by Open311 (re-encoded, immutable). */
  mediaUrl: (sha256: string) => `/open311/v2/media/${sha256}.jpg`,
};
