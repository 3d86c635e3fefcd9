import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { dossierEventSchema, iocError, type DossierEvent, type DossierImportRejection } from '@ioc/schemas';

/**
 * Dossier exports from one-stop-shop systems that cannot call a webhook: CSV or XLSX, one event per row, with
 * Vietnamese column headers ("Mã hồ sơ", "Hạn xử lý" …) or the webhook's field names, Vietnamese or English
 * values ("Trực tuyến", "Toàn trình", "Đã giải quyết" …) and dates as dd/MM/yyyy HH:mm (Vietnam time) or ISO.
 * Every row is checked on its own: a bad row is reported with its spreadsheet row number (the header is row 1)
 * and column, and the good rows are kept.
 */
export type DossierFileFormat = 'csv' | 'xlsx';

type Field = keyof DossierEvent;
type CellValue = string | number | Date | null;

/** Column headers, compared without case, diacritics or extra spaces. */
const HEADER_ALIASES: Record<Field, readonly string[]> = {
  dossierId: ['mã hồ sơ', 'số hồ sơ', 'dossierId'],
  procedureCode: ['mã thủ tục', 'mã tthc', 'procedureCode'],
  procedureName: ['tên thủ tục', 'tên tthc', 'thủ tục', 'procedureName'],
  agencyCode: ['mã cơ quan', 'mã đơn vị', 'agencyCode'],
  agencyName: ['cơ quan', 'tên cơ quan', 'cơ quan giải quyết', 'đơn vị', 'agencyName'],
  administrativeLevel: ['cấp', 'cấp hành chính', 'cấp giải quyết', 'administrativeLevel'],
  districtCode: ['mã địa bàn', 'mã huyện', 'districtCode'],
  onlineServiceLevel: ['mức độ dvc', 'mức độ', 'mức độ dịch vụ công', 'onlineServiceLevel'],
  channel: ['kênh', 'kênh nộp', 'hình thức nộp', 'channel'],
  event: ['sự kiện', 'trạng thái', 'event'],
  occurredAt: ['thời điểm', 'thời gian', 'occurredAt'],
  dueAt: ['hạn xử lý', 'ngày hẹn trả', 'hạn giải quyết', 'dueAt'],
};

/** Without the agency code column, the code is made from the agency name. */
const REQUIRED_COLUMNS: readonly Field[] = ['dossierId', 'procedureCode', 'procedureName', 'agencyName', 'administrativeLevel', 'onlineServiceLevel', 'channel', 'event', 'occurredAt'];

const VALUE_ALIASES: Partial<Record<Field, Record<string, string>>> = {
  administrativeLevel: {
    'tinh': 'province', 'cap tinh': 'province', 'province': 'province',
    'huyen': 'district', 'cap huyen': 'district', 'district': 'district',
    'xa': 'commune', 'phuong': 'commune', 'thi tran': 'commune', 'cap xa': 'commune', 'commune': 'commune',
  },
  channel: {
    'truc tuyen': 'online', 'online': 'online', 'dvc truc tuyen': 'online',
    'truc tiep': 'inPerson', 'tai quay': 'inPerson', 'inperson': 'inPerson', 'in person': 'inPerson',
    'buu chinh': 'postal', 'buu chinh cong ich': 'postal', 'postal': 'postal',
  },
  event: {
    'tiep nhan': 'received', 'received': 'received',
    'phan cong': 'assigned', 'chuyen xu ly': 'assigned', 'dang xu ly': 'assigned', 'assigned': 'assigned',
    'yeu cau bo sung': 'additionalDocumentsRequested', 'bo sung ho so': 'additionalDocumentsRequested', 'additionaldocumentsrequested': 'additionalDocumentsRequested',
    'tra lai': 'returned', 'tu choi': 'returned', 'returned': 'returned',
    'da giai quyet': 'resolved', 'tra ket qua': 'resolved', 'hoan thanh': 'resolved', 'resolved': 'resolved',
    'rut ho so': 'withdrawn', 'cong dan rut': 'withdrawn', 'withdrawn': 'withdrawn',
  },
  onlineServiceLevel: {
    'toan trinh': 'full', 'dvc toan trinh': 'full', 'full': 'full', '4': 'full', 'muc do 4': 'full', 'muc 4': 'full',
    'mot phan': 'partial', 'dvc mot phan': 'partial', 'partial': 'partial', '3': 'partial', 'muc do 3': 'partial', 'muc 3': 'partial',
    'khong': 'none', 'none': 'none', '1': 'none', '2': 'none', 'muc do 2': 'none', 'muc 2': 'none', 'muc do 1': 'none',
  },
};

/** Lowercase, no diacritics (đ → d), single spaces: "Mức độ DVC" → "muc do dvc". */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .replace(/[\s_]+/g, ' ')
    .trim();
}

const FIELD_BY_HEADER = new Map<string, Field>(
  (Object.entries(HEADER_ALIASES) as Array<[Field, readonly string[]]>).flatMap(([field, aliases]) => aliases.map((alias) => [foldText(alias), field] as const)),
);

const VIETNAM_OFFSET = '+07:00';
const DATE_TIME = /^(\d{1,2})\/(\d{1,2})\/(\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?$/;
const ISO_WITHOUT_OFFSET = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/;

/**
 * A time cell as ISO-8601 with an offset. Text: dd/MM/yyyy[ HH:mm[:ss]] or ISO, Vietnam time unless an offset is
 * given. A date without a time is the start of the day, or for a due time (`endOfDay`) the end of it: a result
 * handed over any time on the due date is on time. Spreadsheet dates carry no zone: their clock reading is
 * taken as Vietnam time.
 */
export function parseVietnamTime(value: CellValue, endOfDay: boolean): string | undefined {
  if (value === null) return undefined;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) return undefined;
    const wallClock = value.toISOString().slice(0, 19);
    const dateOnly = wallClock.endsWith('T00:00:00');
    return dateOnly && endOfDay ? `${wallClock.slice(0, 10)}T23:59:59${VIETNAM_OFFSET}` : `${wallClock}${VIETNAM_OFFSET}`;
  }
  const text = String(value).trim();
  const match = DATE_TIME.exec(text);
  if (match) {
    const [, day, month, year, hour, minute, second] = match as unknown as [string, string, string, string, string | undefined, string | undefined, string | undefined];
    const pad = (part: string) => part.padStart(2, '0');
    const time = hour === undefined ? (endOfDay ? '23:59:59' : '00:00:00') : `${pad(hour)}:${minute}:${second ?? '00'}`;
    const iso = `${year}-${pad(month)}-${pad(day)}T${time}${VIETNAM_OFFSET}`;
    const parsed = new Date(iso);
    // Reject 31/02 and the like: Date would roll them over silently.
    if (Number.isNaN(parsed.getTime()) || new Date(parsed.getTime() + 7 * 3_600_000).getUTCDate() !== Number(day)) return undefined;
    return iso;
  }
  if (ISO_WITHOUT_OFFSET.test(text)) {
    if (text.length === 10) return `${text}T${endOfDay ? '23:59:59' : '00:00:00'}${VIETNAM_OFFSET}`;
    return `${text.length === 16 ? `${text}:00` : text}${VIETNAM_OFFSET}`;
  }
  return text; // ISO with an offset, or garbage that the schema names
}

/** An agency code from its name when the file has none: "Sở Tư pháp" → "so-tu-phap". */
export function agencyCodeFromName(name: string): string {
  return foldText(name).replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 120);
}

function cellText(value: CellValue): string {
  if (value === null) return '';
  if (value instanceof Date) return value.toISOString();
  return String(value).trim();
}

export interface DossierFileRows {
  format: DossierFileFormat;
  /** Data rows read (blank rows skipped). */
  rows: number;
  events: DossierEvent[];
  rejected: DossierImportRejection[];
}

interface RawRow {
  rowNumber: number;
  cells: CellValue[];
}

/** Reads a CSV or XLSX export into validated events and rejected rows. Throws IOC_ERR_VALIDATION when the file itself is unusable. */
export async function readDossierFile(bytes: Buffer, format: DossierFileFormat, options: { maxRows: number }): Promise<DossierFileRows> {
  const table = format === 'csv' ? readCsv(bytes) : await readXlsx(bytes);
  const [header, ...rows] = table;
  if (!header) throw iocError('IOC_ERR_VALIDATION', 'The file is empty: expected a header row and one event per row', { issues: [{ path: 'file', reason: 'empty' }] });
  if (rows.length > options.maxRows) {
    throw iocError('IOC_ERR_VALIDATION', `The file has ${rows.length} rows; at most ${options.maxRows} per import (split it)`, { issues: [{ path: 'file', reason: 'too many rows' }] });
  }
  const headers = header.cells.map((cell) => cellText(cell));
  const columns = new Map<Field, number>();
  headers.forEach((text, index) => {
    const field = FIELD_BY_HEADER.get(foldText(text));
    if (field && !columns.has(field)) columns.set(field, index);
  });
  const missing = REQUIRED_COLUMNS.filter((field) => !columns.has(field));
  if (missing.length > 0) {
    const names = missing.map((field) => `"${HEADER_ALIASES[field][0]}" (${field})`);
    throw iocError('IOC_ERR_VALIDATION', `The file lacks the column(s) ${names.join(', ')}; found ${headers.filter(Boolean).join(', ') || 'no headers'}`, {
      issues: missing.map((field) => ({ path: `columns.${field}`, reason: `missing column "${HEADER_ALIASES[field][0]}"` })),
    });
  }
  const columnName = (field: Field): string => headers[columns.get(field) as number] ?? field;
  const events: DossierEvent[] = [];
  const rejected: DossierImportRejection[] = [];
  for (const row of rows) {
    const result = rowToEvent(row, columns);
    if (result.ok) {
      events.push(result.event);
      continue;
    }
    for (const issue of result.issues) {
      rejected.push({ row: row.rowNumber, column: issue.field && columns.has(issue.field) ? columnName(issue.field) : null, field: issue.field, reason: issue.reason });
    }
  }
  return { format, rows: rows.length, events, rejected };
}

function rowToEvent(row: RawRow, columns: Map<Field, number>): { ok: true; event: DossierEvent } | { ok: false; issues: Array<{ field: Field | null; reason: string }> } {
  const cell = (field: Field): CellValue => {
    const index = columns.get(field);
    const value = index === undefined ? null : (row.cells[index] ?? null);
    return typeof value === 'string' && value.trim() === '' ? null : value;
  };
  const issues: Array<{ field: Field | null; reason: string }> = [];
  const candidate: Record<string, unknown> = {};
  for (const field of columns.keys()) {
    const value = cell(field);
    if (value === null) continue;
    if (field === 'occurredAt' || field === 'dueAt') {
      const iso = parseVietnamTime(value, field === 'dueAt');
      if (iso === undefined) issues.push({ field, reason: `"${cellText(value)}" is not a date (dd/MM/yyyy HH:mm or ISO-8601)` });
      else candidate[field] = iso;
      continue;
    }
    const text = cellText(value);
    const aliases = VALUE_ALIASES[field];
    if (aliases) {
      const mapped = aliases[foldText(text)];
      if (mapped === undefined) issues.push({ field, reason: `"${text}" is not one of ${[...new Set(Object.values(aliases))].join(', ')} (or their Vietnamese names)` });
      else candidate[field] = mapped;
      continue;
    }
    candidate[field] = text;
  }
  if (candidate.agencyCode === undefined && typeof candidate.agencyName === 'string') candidate.agencyCode = agencyCodeFromName(candidate.agencyName);
  const parsed = dossierEventSchema.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      // A value already reported as unreadable shows up again as "missing": report it once.
      if (typeof field === 'string' && issues.some((known) => known.field === field)) continue;
      issues.push({ field: typeof field === 'string' ? (field as Field) : null, reason: issue.message });
    }
  }
  if (issues.length > 0 || !parsed.success) return { ok: false, issues };
  return { ok: true, event: parsed.data };
}

function readCsv(bytes: Buffer): RawRow[] {
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parseCsv(bytes, {
      bom: true,
      delimiter: [',', ';', '\t'],
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
      info: true,
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
  } catch (err) {
    throw iocError('IOC_ERR_VALIDATION', `The CSV file cannot be read: ${(err as Error).message}`, { issues: [{ path: 'file', reason: 'not CSV' }], cause: err });
  }
  return records
    .filter(({ record }) => record.some((value) => value !== ''))
    .map(({ record, info }) => ({ rowNumber: info.lines, cells: record }));
}

async function readXlsx(bytes: Buffer): Promise<RawRow[]> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (err) {
    throw iocError('IOC_ERR_VALIDATION', `The XLSX file cannot be read: ${(err as Error).message}`, { issues: [{ path: 'file', reason: 'not XLSX' }], cause: err });
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) return [];
  const rows: RawRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: CellValue[] = [];
    for (let column = 1; column <= row.cellCount; column += 1) cells.push(xlsxCellValue(row.getCell(column).value));
    if (cells.some((value) => value !== null && value !== '')) rows.push({ rowNumber, cells });
  });
  return rows;
}

function xlsxCellValue(value: ExcelJS.CellValue): CellValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'number' || value instanceof Date) return value;
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((part) => part.text).join('');
    if ('result' in value) return xlsxCellValue((value.result ?? null) as ExcelJS.CellValue);
    if ('text' in value) return String(value.text);
  }
  return String(value);
}
