import type { Response } from 'express';
import { XMLBuilder } from 'fast-xml-parser';
import {
  open311Service,
  open311StatusOf,
  type Alert,
  type FieldReport,
  type FieldReportHistoryEntry,
  type Open311Error,
  type Open311Lang,
  type Open311Note,
  type Open311ServiceRequest,
} from '@ioc/schemas';

/** GeoReport v2 answers in the format the URL names (`.json` or `.xml`), with the specification's element names. */
export type Open311Format = 'json' | 'xml';

const builder = new XMLBuilder({ format: true, suppressEmptyNode: true });
const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n';

/** `<root><item>…</item>…</root>`: the specification wraps every list this way (services, service_requests, errors). */
export function toXml(root: string, item: string | undefined, content: unknown): string {
  return XML_DECLARATION + builder.build({ [root]: item === undefined ? content : { [item]: content } });
}

export function sendOpen311(response: Response, format: Open311Format, status: number, body: unknown, xml: { root: string; item?: string }): void {
  response.status(status);
  if (format === 'xml') {
    response.type('application/xml; charset=utf-8').send(toXml(xml.root, xml.item, xmlValue(body)));
  } else {
    response.json(body);
  }
}

export function sendOpen311Errors(response: Response, format: Open311Format, status: number, errors: Open311Error[]): void {
  sendOpen311(response, format, status, errors, { root: 'errors', item: 'error' });
}

/** XML has no null: nulls become empty elements; nested lists keep their wrapper (`notes` → `<notes><note>…`). */
function xmlValue(value: unknown, key?: string): unknown {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) {
    const items = value.map((item) => xmlValue(item));
    if (key === 'notes') return { note: items };
    if (key === 'values') return { value: items };
    if (key === 'attributes' && value.length > 0 && typeof value[0] === 'object') return { attribute: items };
    return items;
  }
  if (typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([childKey, child]) => [childKey, xmlValue(child, childKey)]));
  }
  return value;
}

export function mediaUrlOf(baseUrl: string, sha256: string): string {
  return `${baseUrl}/media/${sha256}.jpg`;
}

const NOTE_SUMMARY: Record<FieldReportHistoryEntry['action'], { vi: string; en: string }> = {
  opened: { vi: 'Đã tiếp nhận phản ánh', en: 'Request opened' },
  categorised: { vi: 'Chuyển lĩnh vực', en: 'Recategorised' },
  assigned: { vi: 'Chuyển đơn vị xử lý', en: 'Assigned' },
  noted: { vi: 'Cập nhật', en: 'Update' },
  resolved: { vi: 'Đã xử lý xong', en: 'Request closed' },
  reopened: { vi: 'Mở lại phản ánh', en: 'Request reopened' },
};

/** One report as GeoReport v2 shows it: the specification's fields, the public history as `notes` (as Chicago's server does). */
export function toOpen311Request(report: FieldReport, options: { lang: Open311Lang; baseUrl: string; history?: FieldReportHistoryEntry[] }): Open311ServiceRequest {
  const service = open311Service(report.serviceCode);
  const request: Open311ServiceRequest = {
    service_request_id: report.id,
    status: open311StatusOf(report.status),
    status_notes: report.statusNotes,
    service_name: service ? (options.lang === 'en' ? service.nameEn : service.nameVi) : report.serviceCode,
    service_code: report.serviceCode,
    description: report.description,
    agency_responsible: report.agencyResponsible,
    service_notice: report.serviceNotice,
    requested_datetime: report.requestedAt,
    updated_datetime: report.updatedAt,
    expected_datetime: report.expectedAt,
    address: report.address,
    address_id: report.addressId,
    zipcode: report.zipcode,
    lat: report.latitude,
    long: report.longitude,
    media_url: report.mediaSha256 ? mediaUrlOf(options.baseUrl, report.mediaSha256) : report.externalMediaUrl,
  };
  if (Object.keys(report.attributes).length > 0) request.attributes = report.attributes;
  if (options.history) {
    request.notes = options.history
      .filter((entry) => entry.public)
      .map((entry): Open311Note => {
        const photo = typeof entry.details.photoSha256 === 'string' ? entry.details.photoSha256 : undefined;
        return {
          datetime: entry.at,
          summary: NOTE_SUMMARY[entry.action][options.lang],
          ...(entry.note ? { description: entry.note } : {}),
          type: entry.action === 'opened' ? 'opened' : entry.action === 'resolved' ? 'closed' : 'activity',
          ...(photo ? { media_url: mediaUrlOf(options.baseUrl, photo) } : {}),
        };
      });
  }
  return request;
}

const STATUS_VI: Record<FieldReport['status'], string> = { new: 'mới tiếp nhận', assigned: 'đang xử lý', resolved: 'đã xử lý xong' };
/** Reports that can hurt someone soon show stronger on the wall. */
const SEVERITY_BY_SERVICE: Record<string, Alert['severity']> = { ATGT: 'medium', 'TN-NGAP': 'medium', 'CX-CAY': 'medium', 'TN-CAPNUOC': 'medium', 'GT-OGA': 'low' };

/** A report as a Smart Data Models `Alert` for the wall's alert list and map (category `citizenReport`). */
export function fieldReportAlert(report: FieldReport): Alert {
  const service = open311Service(report.serviceCode);
  return {
    id: `field-report-${report.id}`,
    type: 'Alert',
    category: 'citizenReport',
    subCategory: 'fieldReport',
    severity: report.status === 'resolved' ? 'informational' : (SEVERITY_BY_SERVICE[report.serviceCode] ?? 'low'),
    dateIssued: report.requestedAt,
    dateModified: report.updatedAt,
    ...(report.closedAt ? { validTo: report.closedAt } : {}),
    description: `Phản ánh ${report.id}: ${service?.nameVi ?? report.serviceCode} — ${STATUS_VI[report.status]}`.slice(0, 2000),
    ...(report.latitude !== null && report.longitude !== null ? { location: { type: 'Point', coordinates: [report.longitude, report.latitude] } } : {}),
    alertSource: report.id,
  };
}
