import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import { REVIEW_METRICS, vietnamDateOf, type DailyReview, type ReviewComparison, type ReviewFamily, type ReviewMetric } from '@ioc/schemas';

/**
 * The daily review as files a leader can keep: a PDF (pdfkit, Be Vietnam Pro so Vietnamese diacritics render)
 * and a CSV (UTF-8 with a byte-order mark: without it Excel reads the file as the local code page and the
 * diacritics come out garbled). Both are built from the same `DailyReview` the page shows.
 */
export type ReviewLang = 'vi' | 'en';

const require = createRequire(import.meta.url);
export const REVIEW_FONT_FILES = {
  regular: require.resolve('@expo-google-fonts/be-vietnam-pro/400Regular/BeVietnamPro_400Regular.ttf'),
  semiBold: require.resolve('@expo-google-fonts/be-vietnam-pro/600SemiBold/BeVietnamPro_600SemiBold.ttf'),
  bold: require.resolve('@expo-google-fonts/be-vietnam-pro/700Bold/BeVietnamPro_700Bold.ttf'),
};

const TEXT = {
  vi: {
    title: 'BÁO CÁO NGÀY',
    organisation: 'Trung tâm Điều hành Thông minh (IOC)',
    generated: 'Lập lúc',
    filterAll: 'Toàn tỉnh',
    district: 'Huyện/thành phố',
    agency: 'Cơ quan',
    notNarrowed: 'Không lọc được theo lựa chọn',
    metric: 'Chỉ tiêu',
    value: 'Giá trị',
    dayBefore: 'Ngày trước',
    sevenDayAverage: 'TB 7 ngày trước',
    sameWeekdayLastWeek: 'Cùng thứ tuần trước',
    dayTable: (date: string) => `Ngày ${date}`,
    overdueTitle: 'Cơ quan có hồ sơ quá hạn',
    overdue: 'Quá hạn',
    toProcess: 'Phải giải quyết',
    districtsTitle: 'Theo huyện/thành phố',
    agenciesTitle: 'Theo cơ quan',
    traffic: 'Lưu lượng',
    violations: 'Vi phạm',
    received: 'Tiếp nhận',
    resolved: 'Đã giải quyết',
    onTime: 'Đúng hạn (%)',
    incidents: 'Sự cố',
    reportsNew: 'Phản ánh mới',
    reportsResolved: 'PA đã xử lý',
    reportsOverdue: 'PA quá hạn',
    none: 'Không có',
    page: (page: number, pages: number) => `Trang ${page}/${pages}`,
    families: { traffic: 'Giao thông', violations: 'Vi phạm giao thông', dossiers: 'Hồ sơ thủ tục hành chính', fieldReports: 'Phản ánh hiện trường', incidents: 'Sự cố hệ thống' },
    section: 'Mục',
    key: 'Mã',
    date: 'Ngày',
  },
  en: {
    title: 'DAILY REVIEW',
    organisation: 'Intelligent Operations Center (IOC)',
    generated: 'Generated',
    filterAll: 'Whole province',
    district: 'District',
    agency: 'Agency',
    notNarrowed: 'Not narrowed by the selection',
    metric: 'Figure',
    value: 'Value',
    dayBefore: 'Day before',
    sevenDayAverage: '7-day average',
    sameWeekdayLastWeek: 'Same day last week',
    dayTable: (date: string) => `Day ${date}`,
    overdueTitle: 'Agencies with overdue dossiers',
    overdue: 'Overdue',
    toProcess: 'To process',
    districtsTitle: 'By district',
    agenciesTitle: 'By agency',
    traffic: 'Vehicles',
    violations: 'Violations',
    received: 'Received',
    resolved: 'Resolved',
    onTime: 'On time (%)',
    incidents: 'Incidents',
    reportsNew: 'New reports',
    reportsResolved: 'Reports resolved',
    reportsOverdue: 'Reports past SLA',
    none: 'None',
    page: (page: number, pages: number) => `Page ${page}/${pages}`,
    families: { traffic: 'Traffic', violations: 'Traffic violations', dossiers: 'Administrative dossiers', fieldReports: 'Citizen field reports', incidents: 'System incidents' },
    section: 'Section',
    key: 'Key',
    date: 'Date',
  },
} as const;

/** dd/MM/yyyy from YYYY-MM-DD (how Vietnamese documents write dates). */
export function displayDate(date: string): string {
  const [year, month, day] = date.split('-');
  return `${day}/${month}/${year}`;
}

/** 1.234,5 in Vietnamese, 1,234.5 in English; a dash for no value. */
export function formatNumber(value: number | null, lang: ReviewLang, fractionDigits = 1): string {
  if (value === null) return '–';
  return new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: fractionDigits }).format(value);
}

function labelOf(metric: ReviewMetric, lang: ReviewLang): string {
  return REVIEW_METRICS[metric.key][lang];
}

function filterText(review: DailyReview, lang: ReviewLang, districtName: string | undefined): string {
  const text = TEXT[lang];
  const parts: string[] = [];
  if (review.filters.district) parts.push(`${text.district}: ${districtName ?? review.filters.district}`);
  if (review.filters.agency) parts.push(`${text.agency}: ${review.byAgency.find((row) => row.agencyKey === review.filters.agency)?.agencyName ?? review.filters.agency}`);
  if (parts.length === 0) return text.filterAll;
  const families = review.filters.notNarrowed.map((family) => text.families[family]).join(', ');
  return `${parts.join(' · ')}${families ? ` (${text.notNarrowed}: ${families})` : ''}`;
}

function clock(timeMs: number): string {
  const date = vietnamDateOf(timeMs);
  const time = new Date(timeMs + 7 * 3_600_000).toISOString().slice(11, 16);
  return `${time} ${displayDate(date)}`;
}

// ---------- CSV ----------

function csvCell(value: string | number | null): string {
  if (value === null) return '';
  const text = typeof value === 'number' ? String(Math.round(value * 100) / 100) : value;
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvLine(cells: ReadonlyArray<string | number | null>): string {
  return cells.map(csvCell).join(',');
}

/**
 * CSV: the figures of both days with their comparisons, then the district and agency tables, each block with
 * its own header and a blank line between. Numbers are plain (dot decimals) so spreadsheets compute with them.
 */
export function dailyReviewCsv(review: DailyReview, lang: ReviewLang = 'vi'): Buffer {
  const text = TEXT[lang];
  const lines: string[] = [];
  lines.push(csvLine([text.section, text.key, text.metric, text.date, text.value, text.dayBefore, text.sevenDayAverage, text.sameWeekdayLastWeek]));
  for (const [date, pick] of [[review.date, (metric: ReviewMetric) => metric.day], [review.previousDate, (metric: ReviewMetric) => metric.previousDay]] as const) {
    for (const metric of review.metrics) {
      const comparison: ReviewComparison = pick(metric);
      lines.push(csvLine([text.families[metric.family], metric.key, labelOf(metric, lang).replace(/^— /, ''), date, comparison.value, comparison.dayBefore, comparison.sevenDayAverage, comparison.sameWeekdayLastWeek]));
    }
  }
  lines.push('');
  lines.push(csvLine([text.districtsTitle, text.key, text.district, text.traffic, text.violations, text.received, text.resolved, text.onTime, text.overdue, text.incidents]));
  for (const row of review.byDistrict) {
    lines.push(csvLine([review.date, row.districtCode, row.districtName, row.trafficVolume, row.violations, row.dossiersReceived, row.dossiersResolved, row.dossiersOnTimeRatePercent, row.dossiersOverdue, row.incidentsRaised]));
  }
  lines.push('');
  lines.push(csvLine([text.agenciesTitle, text.key, text.agency, text.received, text.resolved, text.onTime, text.overdue, text.reportsNew, text.reportsResolved, text.reportsOverdue]));
  for (const row of review.byAgency) {
    lines.push(csvLine([review.date, row.agencyKey, row.agencyName, row.dossiersReceived, row.dossiersResolved, row.dossiersOnTimeRatePercent, row.dossiersOverdue, row.fieldReportsNew, row.fieldReportsResolved, row.fieldReportsOverdue]));
  }
  return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
}

// ---------- PDF ----------

interface Column {
  title: string;
  widthPoints: number;
  align: 'left' | 'right';
}

const MARGIN_POINTS = 40;
const ROW_HEIGHT_POINTS = 15;
const FONT_SIZE = 8.5;
const INK = '#1f2937';
const MUTED = '#6b7280';
const RULE = '#d1d5db';
const GOOD = '#15803d';
const BAD = '#b91c1c';

export interface DailyReviewPdfOptions {
  lang?: ReviewLang;
  /** Leave page streams uncompressed (tests read the text); compressed by default. */
  compress?: boolean;
  districtNames?: ReadonlyMap<string, string>;
}

/** Draws a table from the cursor, breaking onto a new page (header repeated) when a row does not fit. */
function drawTable(doc: PDFKit.PDFDocument, columns: readonly Column[], rows: ReadonlyArray<ReadonlyArray<{ text: string; colour?: string; bold?: boolean }>>): void {
  const bottom = doc.page.height - MARGIN_POINTS - 20;
  // Headings may take two lines in narrow columns; the header row grows to the tallest.
  const drawHeader = () => {
    let x = MARGIN_POINTS;
    const y = doc.y;
    doc.font('SemiBold').fontSize(FONT_SIZE).fillColor(MUTED);
    const headerHeight = Math.max(ROW_HEIGHT_POINTS, ...columns.map((column) => doc.heightOfString(column.title, { width: column.widthPoints - 4 }) + 5));
    for (const column of columns) {
      const textHeight = doc.heightOfString(column.title, { width: column.widthPoints - 4 });
      doc.text(column.title, x + 2, y + headerHeight - textHeight - 2, { width: column.widthPoints - 4, align: column.align });
      x += column.widthPoints;
    }
    doc.moveTo(MARGIN_POINTS, y + headerHeight).lineTo(x, y + headerHeight).strokeColor(RULE).lineWidth(0.8).stroke();
    doc.y = y + headerHeight;
  };
  drawHeader();
  for (const row of rows) {
    if (doc.y + ROW_HEIGHT_POINTS > bottom) {
      doc.addPage();
      drawHeader();
    }
    let x = MARGIN_POINTS;
    const y = doc.y;
    row.forEach((cell, index) => {
      const column = columns[index] as Column;
      doc.font(cell.bold ? 'SemiBold' : 'Regular').fontSize(FONT_SIZE).fillColor(cell.colour ?? INK);
      doc.text(cell.text, x + 2, y + 3, { width: column.widthPoints - 4, align: column.align, lineBreak: false, ellipsis: true });
      x += column.widthPoints;
    });
    doc.moveTo(MARGIN_POINTS, y + ROW_HEIGHT_POINTS).lineTo(x, y + ROW_HEIGHT_POINTS).strokeColor('#eef0f3').lineWidth(0.5).stroke();
    doc.y = y + ROW_HEIGHT_POINTS;
  }
  doc.x = MARGIN_POINTS;
  doc.moveDown(0.8);
}

function heading(doc: PDFKit.PDFDocument, title: string): void {
  if (doc.y + 60 > doc.page.height - MARGIN_POINTS) doc.addPage();
  doc.x = MARGIN_POINTS;
  doc.font('Bold').fontSize(11).fillColor(INK).text(title, MARGIN_POINTS, doc.y);
  doc.moveDown(0.3);
}

/** The comparison cell: the reference, and the change in percent coloured good (green) or bad (red). */
function comparisonCell(metric: ReviewMetric, value: number | null, reference: number | null, lang: ReviewLang): { text: string; colour?: string } {
  const referenceText = formatNumber(reference, lang);
  if (value === null || reference === null) return { text: referenceText, colour: MUTED };
  const delta = value - reference;
  if (Math.abs(delta) < 1e-9) return { text: `${referenceText} (=)`, colour: MUTED };
  // Be Vietnam Pro has no arrow glyphs: the sign and the colour carry the direction.
  const sign = delta > 0 ? '+' : '-';
  let change: string;
  if (metric.unit === 'percent') change = `${sign}${formatNumber(Math.abs(delta), lang)} ${lang === 'vi' ? 'điểm' : 'pt'}`;
  else if (reference === 0) change = `${sign}${formatNumber(Math.abs(delta), lang, 0)}`;
  else change = `${sign}${formatNumber(Math.abs((100 * delta) / reference), lang)} %`;
  const good = metric.direction === 'neutral' ? undefined : (delta > 0) === (metric.direction === 'higherIsBetter');
  return { text: `${referenceText} (${change})`, ...(good === undefined ? {} : { colour: good ? GOOD : BAD }) };
}

function metricTable(doc: PDFKit.PDFDocument, review: DailyReview, which: 'day' | 'previousDay', lang: ReviewLang): void {
  const text = TEXT[lang];
  const width = doc.page.width - 2 * MARGIN_POINTS;
  const columns: Column[] = [
    { title: text.metric, widthPoints: width * 0.28, align: 'left' },
    { title: text.value, widthPoints: width * 0.12, align: 'right' },
    { title: text.dayBefore, widthPoints: width * 0.2, align: 'right' },
    { title: text.sevenDayAverage, widthPoints: width * 0.2, align: 'right' },
    { title: text.sameWeekdayLastWeek, widthPoints: width * 0.2, align: 'right' },
  ];
  const rows: Array<Array<{ text: string; colour?: string; bold?: boolean }>> = [];
  let family: ReviewFamily | undefined;
  for (const metric of review.metrics) {
    if (metric.family !== family) {
      family = metric.family;
      const narrowed = review.filters.notNarrowed.includes(family) ? ' *' : '';
      rows.push([{ text: `${text.families[family]}${narrowed}`, bold: true }, { text: '' }, { text: '' }, { text: '' }, { text: '' }]);
    }
    const comparison = metric[which];
    const digits = metric.unit === 'percent' || !Number.isInteger(comparison.value ?? 0) ? 1 : 0;
    rows.push([
      { text: `   ${labelOf(metric, lang)}` },
      { text: formatNumber(comparison.value, lang, digits), bold: true },
      comparisonCell(metric, comparison.value, comparison.dayBefore, lang),
      comparisonCell(metric, comparison.value, comparison.sevenDayAverage, lang),
      comparisonCell(metric, comparison.value, comparison.sameWeekdayLastWeek, lang),
    ]);
  }
  drawTable(doc, columns, rows);
}

/** A real PDF of the review: A4, Be Vietnam Pro embedded (subset), tables for both days and the drill-downs. */
export async function dailyReviewPdf(review: DailyReview, options: DailyReviewPdfOptions = {}): Promise<Buffer> {
  const lang = options.lang ?? 'vi';
  const text = TEXT[lang];
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN_POINTS,
    compress: options.compress ?? true,
    bufferPages: true,
    info: { Title: `${text.title} ${displayDate(review.date)}`, Author: text.organisation, Subject: text.title, CreationDate: new Date(Date.parse(review.generatedAt)) },
    lang: lang === 'vi' ? 'vi-VN' : 'en-GB',
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc.registerFont('Regular', REVIEW_FONT_FILES.regular);
  doc.registerFont('SemiBold', REVIEW_FONT_FILES.semiBold);
  doc.registerFont('Bold', REVIEW_FONT_FILES.bold);

  const width = doc.page.width - 2 * MARGIN_POINTS;
  doc.font('SemiBold').fontSize(9).fillColor(MUTED).text(text.organisation, MARGIN_POINTS, MARGIN_POINTS);
  doc.font('Bold').fontSize(18).fillColor(INK).text(`${text.title} ${displayDate(review.date)}`);
  doc.font('Regular').fontSize(9).fillColor(MUTED)
    .text(`${filterText(review, lang, options.districtNames?.get(review.filters.district ?? ''))} · ${text.generated}: ${clock(Date.parse(review.generatedAt))}`);
  doc.moveDown(0.8);

  heading(doc, text.dayTable(displayDate(review.date)));
  metricTable(doc, review, 'day', lang);
  heading(doc, text.dayTable(displayDate(review.previousDate)));
  metricTable(doc, review, 'previousDay', lang);

  heading(doc, `${text.overdueTitle} — ${displayDate(review.date)}`);
  if (review.overdueByAgency.length === 0) {
    doc.font('Regular').fontSize(FONT_SIZE).fillColor(MUTED).text(text.none);
    doc.moveDown(0.8);
  } else {
    drawTable(doc, [
      { title: text.agency, widthPoints: width * 0.6, align: 'left' },
      { title: text.overdue, widthPoints: width * 0.2, align: 'right' },
      { title: text.toProcess, widthPoints: width * 0.2, align: 'right' },
    ], review.overdueByAgency.map((row) => [{ text: row.agencyName }, { text: formatNumber(row.overdue, lang, 0), colour: BAD, bold: true }, { text: formatNumber(row.toProcess, lang, 0) }]));
  }

  heading(doc, `${text.districtsTitle} — ${displayDate(review.date)}`);
  drawTable(doc, [
    { title: text.district, widthPoints: width * 0.26, align: 'left' },
    { title: text.traffic, widthPoints: width * 0.12, align: 'right' },
    { title: text.violations, widthPoints: width * 0.1, align: 'right' },
    { title: text.received, widthPoints: width * 0.1, align: 'right' },
    { title: text.resolved, widthPoints: width * 0.12, align: 'right' },
    { title: text.onTime, widthPoints: width * 0.1, align: 'right' },
    { title: text.overdue, widthPoints: width * 0.1, align: 'right' },
    { title: text.incidents, widthPoints: width * 0.1, align: 'right' },
  ], review.byDistrict.map((row) => [
    { text: row.districtName ?? (row.districtCode || '—') },
    { text: formatNumber(row.trafficVolume, lang, 0) },
    { text: formatNumber(row.violations, lang, 0) },
    { text: formatNumber(row.dossiersReceived, lang, 0) },
    { text: formatNumber(row.dossiersResolved, lang, 0) },
    { text: formatNumber(row.dossiersOnTimeRatePercent, lang) },
    { text: formatNumber(row.dossiersOverdue, lang, 0) },
    { text: formatNumber(row.incidentsRaised, lang, 0) },
  ]));

  heading(doc, `${text.agenciesTitle} — ${displayDate(review.date)}`);
  drawTable(doc, [
    { title: text.agency, widthPoints: width * 0.34, align: 'left' },
    { title: text.received, widthPoints: width * 0.09, align: 'right' },
    { title: text.resolved, widthPoints: width * 0.11, align: 'right' },
    { title: text.onTime, widthPoints: width * 0.1, align: 'right' },
    { title: text.overdue, widthPoints: width * 0.08, align: 'right' },
    { title: text.reportsNew, widthPoints: width * 0.1, align: 'right' },
    { title: text.reportsResolved, widthPoints: width * 0.1, align: 'right' },
    { title: text.reportsOverdue, widthPoints: width * 0.08, align: 'right' },
  ], review.byAgency.map((row) => [
    { text: row.agencyName },
    { text: formatNumber(row.dossiersReceived, lang, 0) },
    { text: formatNumber(row.dossiersResolved, lang, 0) },
    { text: formatNumber(row.dossiersOnTimeRatePercent, lang) },
    { text: formatNumber(row.dossiersOverdue, lang, 0), ...(row.dossiersOverdue > 0 ? { colour: BAD } : {}) },
    { text: formatNumber(row.fieldReportsNew, lang, 0) },
    { text: formatNumber(row.fieldReportsResolved, lang, 0) },
    { text: formatNumber(row.fieldReportsOverdue, lang, 0), ...(row.fieldReportsOverdue > 0 ? { colour: BAD } : {}) },
  ]));

  // Page numbers last, once the page count is known.
  const range = doc.bufferedPageRange();
  for (let index = range.start; index < range.start + range.count; index += 1) {
    doc.switchToPage(index);
    const bottomMargin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font('Regular').fontSize(8).fillColor(MUTED)
      .text(text.page(index + 1, range.count), MARGIN_POINTS, doc.page.height - MARGIN_POINTS + 10, { width, align: 'right', lineBreak: false });
    doc.page.margins.bottom = bottomMargin;
  }
  doc.end();
  return await done;
}
