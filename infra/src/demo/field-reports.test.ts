import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { BusMessage, FieldReport } from '@ioc/schemas';
import type { FieldReportChange, FieldReportFilter, NewFieldReport } from '@ioc/store';
import { startDemoFieldReports } from './field-reports';

/** The store's contract, in memory: enough to watch the demo's story. */
class MemoryReports {
  readonly reports: FieldReport[] = [];
  readonly changes: FieldReportChange[] = [];
  async create(input: NewFieldReport): Promise<FieldReport> {
    const at = new Date(input.requestedAtMs ?? Date.now()).toISOString();
    const report: FieldReport = {
      id: `25-${String(this.reports.length + 1).padStart(8, '0')}`, serviceCode: input.serviceCode, status: 'new', description: input.description ?? null, agencyResponsible: input.agencyResponsible,
      statusNotes: null, serviceNotice: input.serviceNotice, latitude: input.latitude ?? null, longitude: input.longitude ?? null, address: input.address ?? null, addressId: null, zipcode: null,
      attributes: input.attributes, mediaSha256: null, externalMediaUrl: null, contact: {}, apiKeyName: null, requestedAt: at, updatedAt: at, expectedAt: new Date(input.expectedAtMs).toISOString(), closedAt: null,
    };
    this.reports.push(report);
    return report;
  }
  async change(id: string, decide: (current: FieldReport) => FieldReportChange, nowMs = Date.now()) {
    const index = this.reports.findIndex((report) => report.id === id);
    const current = this.reports[index] as FieldReport;
    const change = decide(current);
    this.changes.push(change);
    const next: FieldReport = { ...current, status: change.toStatus, updatedAt: new Date(nowMs).toISOString(), ...(change.set.expectedAtMs ? { expectedAt: new Date(change.set.expectedAtMs).toISOString() } : {}), ...(change.set.closedAtMs ? { closedAt: new Date(change.set.closedAtMs).toISOString() } : {}) };
    this.reports[index] = next;
    return { report: next, entry: { id: this.changes.length, reportId: id, at: next.updatedAt, action: change.action, actor: change.actor, fromStatus: current.status, toStatus: change.toStatus, note: change.note ?? null, public: change.public, details: {} } };
  }
  async list(filter: FieldReportFilter) {
    const matches = this.reports.filter((report) => (!filter.statuses || filter.statuses.includes(report.status)) && (filter.fromMs === undefined || Date.parse(report.requestedAt) >= filter.fromMs));
    return { total: matches.length, reports: matches.slice(filter.offset, filter.offset + filter.limit) };
  }
}

describe('demo field reports', () => {
  it('writes a week of history with every status, then a live report announced on the bus', async () => {
    const reports = new MemoryReports();
    const published: BusMessage[] = [];
    const demo = startDemoFieldReports({ reports, bus: { publish: (message) => published.push(message) }, logger: pino({ level: 'silent' }), meanIntervalMinutes: 60 });
    await demo.ready;
    await new Promise((resolve) => setTimeout(resolve, 50));
    await demo.stop();
    expect(reports.reports.length).toBeGreaterThanOrEqual(61);
    const statuses = new Set(reports.reports.map((report) => report.status));
    expect([...statuses].sort()).toEqual(['assigned', 'new', 'resolved']);
    const resolved = reports.reports.filter((report) => report.status === 'resolved').length;
    expect(resolved / reports.reports.length).toBeGreaterThan(0.4);
    expect(published.some((message) => message.kind === 'alert' && message.alert.category === 'citizenReport')).toBe(true);
    for (const report of reports.reports) expect(Math.abs((report.latitude as number) - 21.39)).toBeLessThan(0.03);
  });
});
