import { iocError, open311Service, type FieldReport } from '@ioc/schemas';
import type { FieldReportChange } from '@ioc/store';

/**
 * Operator triage of a field report as pure decisions: given the report as it is and one command, what
 * changes and what the history records. The store applies it in one transaction (the report locked).
 * Statuses: new → assigned → resolved, and resolved → assigned again on reopen; categorise and notes
 * leave the status as it is.
 */
export type TriageCommand =
  | { kind: 'categorise'; operator: string; serviceCode: string; note?: string | undefined }
  | { kind: 'assign'; operator: string; agency: string; dueAtMs?: number | undefined; note?: string | undefined }
  | { kind: 'note'; operator: string; note: string; public: boolean }
  | { kind: 'resolve'; operator: string; note: string; photoSha256?: string | undefined }
  | { kind: 'reopen'; operator: string; note: string };

const HOUR_MS = 3_600_000;

function vietnamTime(ms: number): string {
  // dd/MM/yyyy HH:mm in Vietnam time (UTC+7, no daylight saving), as citizens read it.
  const date = new Date(ms + 7 * HOUR_MS);
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())} ${pad(date.getUTCDate())}/${pad(date.getUTCMonth() + 1)}/${date.getUTCFullYear()}`;
}

function slaHoursOf(serviceCode: string): number {
  return open311Service(serviceCode)?.slaHours ?? 72;
}

function refuse(report: FieldReport, what: string): never {
  throw iocError('IOC_ERR_INVALID_TRANSITION', `Field report ${report.id} is ${report.status}: cannot ${what}`, { issues: [{ path: 'status', reason: `is ${report.status}` }] });
}

export function decideTriage(report: FieldReport, command: TriageCommand, nowMs: number): FieldReportChange {
  const base = { actor: command.operator };
  switch (command.kind) {
    case 'categorise': {
      if (report.status === 'resolved') refuse(report, 'change the service of a resolved report (reopen it first)');
      const service = open311Service(command.serviceCode);
      if (!service) throw iocError('IOC_ERR_VALIDATION', `Unknown service_code ${command.serviceCode}`, { issues: [{ path: 'serviceCode', reason: 'not in the service list' }] });
      // A report nobody has taken yet follows its new service's default agency and SLA.
      const untouched = report.status === 'new';
      return {
        ...base,
        action: 'categorised',
        toStatus: report.status,
        note: command.note ?? `Phản ánh được chuyển sang lĩnh vực: ${service.nameVi}.`,
        public: true,
        details: { fromServiceCode: report.serviceCode, toServiceCode: service.serviceCode },
        set: {
          serviceCode: service.serviceCode,
          statusNotes: command.note ?? `Phản ánh được chuyển sang lĩnh vực: ${service.nameVi}.`,
          ...(untouched ? { agencyResponsible: service.agencyVi, expectedAtMs: Date.parse(report.requestedAt) + service.slaHours * HOUR_MS } : {}),
        },
      };
    }
    case 'assign': {
      if (report.status === 'resolved') refuse(report, 'assign a resolved report (reopen it first)');
      const dueAtMs = command.dueAtMs ?? nowMs + slaHoursOf(report.serviceCode) * HOUR_MS;
      if (dueAtMs <= nowMs) throw iocError('IOC_ERR_VALIDATION', 'dueAt must be in the future', { issues: [{ path: 'dueAt', reason: 'in the past' }] });
      const note = command.note ?? `Đã chuyển ${command.agency} xử lý, hạn ${vietnamTime(dueAtMs)}.`;
      return {
        ...base,
        action: 'assigned',
        toStatus: 'assigned',
        note,
        public: true,
        details: { agency: command.agency, dueAt: new Date(dueAtMs).toISOString() },
        set: { agencyResponsible: command.agency, expectedAtMs: dueAtMs, statusNotes: note },
      };
    }
    case 'note':
      return {
        ...base,
        action: 'noted',
        toStatus: report.status,
        note: command.note,
        public: command.public,
        set: command.public ? { statusNotes: command.note } : {},
      };
    case 'resolve':
      if (report.status === 'resolved') refuse(report, 'resolve it again');
      return {
        ...base,
        action: 'resolved',
        toStatus: 'resolved',
        note: command.note,
        public: true,
        details: command.photoSha256 ? { photoSha256: command.photoSha256 } : {},
        set: { statusNotes: command.note, closedAtMs: nowMs },
      };
    case 'reopen': {
      if (report.status !== 'resolved') refuse(report, 'reopen a report that is still open');
      const dueAtMs = nowMs + slaHoursOf(report.serviceCode) * HOUR_MS;
      return {
        ...base,
        action: 'reopened',
        toStatus: 'assigned',
        note: command.note,
        public: true,
        details: { dueAt: new Date(dueAtMs).toISOString() },
        set: { statusNotes: command.note, closedAtMs: null, expectedAtMs: dueAtMs },
      };
    }
  }
}
