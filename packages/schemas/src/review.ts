import { z } from 'zod';
import { DAY_MS, VIETNAM_UTC_OFFSET_MS } from './dossier-kpis';

/**
 * The leaders' daily review (`GET /api/v1/review/daily`): for a Vietnam day and the day before it, each figure
 * with three comparisons — the day before, the average of the 7 days before, and the same weekday a week
 * earlier. Days are Vietnam calendar days (UTC+7, no daylight saving time). The comparisons are pure functions
 * here so the store, the exports and the page agree on them.
 */
export const REVIEW_SCHEMA_VERSION = 1;

export const REVIEW_FAMILIES = ['traffic', 'violations', 'dossiers', 'fieldReports', 'incidents'] as const;
export type ReviewFamily = (typeof REVIEW_FAMILIES)[number];

/** Alert sub-categories that are traffic-rule violations (category `traffic`); every other alert is an incident. */
export const REVIEW_VIOLATION_RULES = ['redLightViolation', 'speeding', 'carWrongDirection', 'laneViolation', 'carStopped'] as const;
export type ReviewViolationRule = (typeof REVIEW_VIOLATION_RULES)[number];

export const REVIEW_INCIDENT_SEVERITIES = ['critical', 'high', 'medium', 'low', 'informational'] as const;

/** Which way is good: the page colours a rise green or red by it; neutral figures (volumes) stay grey. */
export type ReviewDirection = 'higherIsBetter' | 'lowerIsBetter' | 'neutral';

interface MetricDefinition {
  family: ReviewFamily;
  unit: 'count' | 'percent';
  direction: ReviewDirection;
  vi: string;
  en: string;
}

/** Every figure of the review, in the order the page, the PDF and the CSV show them. */
export const REVIEW_METRICS = {
  trafficVolume: { family: 'traffic', unit: 'count', direction: 'neutral', vi: 'Lưu lượng phương tiện', en: 'Traffic volume (vehicles)' },
  violationsTotal: { family: 'violations', unit: 'count', direction: 'lowerIsBetter', vi: 'Vi phạm giao thông', en: 'Traffic violations' },
  violationsRedLight: { family: 'violations', unit: 'count', direction: 'lowerIsBetter', vi: '— Vượt đèn đỏ', en: '— Red light' },
  violationsSpeeding: { family: 'violations', unit: 'count', direction: 'lowerIsBetter', vi: '— Quá tốc độ', en: '— Speeding' },
  violationsWrongDirection: { family: 'violations', unit: 'count', direction: 'lowerIsBetter', vi: '— Đi ngược chiều', en: '— Wrong direction' },
  violationsLane: { family: 'violations', unit: 'count', direction: 'lowerIsBetter', vi: '— Sai làn đường', en: '— Lane violation' },
  violationsStopped: { family: 'violations', unit: 'count', direction: 'lowerIsBetter', vi: '— Dừng, đỗ sai quy định', en: '— Illegal stopping' },
  dossiersReceived: { family: 'dossiers', unit: 'count', direction: 'neutral', vi: 'Hồ sơ tiếp nhận', en: 'Dossiers received' },
  dossiersResolved: { family: 'dossiers', unit: 'count', direction: 'higherIsBetter', vi: 'Hồ sơ đã giải quyết', en: 'Dossiers resolved' },
  dossiersOnTimeRate: { family: 'dossiers', unit: 'percent', direction: 'higherIsBetter', vi: 'Tỷ lệ đúng hạn (%)', en: 'On-time rate (%)' },
  dossiersOverdue: { family: 'dossiers', unit: 'count', direction: 'lowerIsBetter', vi: 'Hồ sơ đang quá hạn', en: 'Dossiers overdue' },
  fieldReportsNew: { family: 'fieldReports', unit: 'count', direction: 'neutral', vi: 'Phản ánh mới', en: 'New field reports' },
  fieldReportsResolved: { family: 'fieldReports', unit: 'count', direction: 'higherIsBetter', vi: 'Phản ánh đã xử lý', en: 'Field reports resolved' },
  fieldReportsOverdue: { family: 'fieldReports', unit: 'count', direction: 'lowerIsBetter', vi: 'Phản ánh quá hạn xử lý', en: 'Field reports past SLA' },
  incidentsRaised: { family: 'incidents', unit: 'count', direction: 'lowerIsBetter', vi: 'Sự cố phát sinh', en: 'Incidents raised' },
  incidentsCritical: { family: 'incidents', unit: 'count', direction: 'lowerIsBetter', vi: '— Nghiêm trọng', en: '— Critical' },
  incidentsHigh: { family: 'incidents', unit: 'count', direction: 'lowerIsBetter', vi: '— Cao', en: '— High' },
  incidentsMedium: { family: 'incidents', unit: 'count', direction: 'lowerIsBetter', vi: '— Trung bình', en: '— Medium' },
  incidentsLow: { family: 'incidents', unit: 'count', direction: 'lowerIsBetter', vi: '— Thấp', en: '— Low' },
  incidentsInformational: { family: 'incidents', unit: 'count', direction: 'lowerIsBetter', vi: '— Thông tin', en: '— Informational' },
  incidentsOpen: { family: 'incidents', unit: 'count', direction: 'lowerIsBetter', vi: 'Sự cố chưa đóng (cuối ngày)', en: 'Incidents open (end of day)' },
} as const satisfies Record<string, MetricDefinition>;
export type ReviewMetricKey = keyof typeof REVIEW_METRICS;
export const REVIEW_METRIC_KEYS = Object.keys(REVIEW_METRICS) as ReviewMetricKey[];

/** Metric key of each violation rule and incident severity. */
export const VIOLATION_RULE_METRIC: Record<ReviewViolationRule, ReviewMetricKey> = {
  redLightViolation: 'violationsRedLight',
  speeding: 'violationsSpeeding',
  carWrongDirection: 'violationsWrongDirection',
  laneViolation: 'violationsLane',
  carStopped: 'violationsStopped',
};
export const INCIDENT_SEVERITY_METRIC: Record<(typeof REVIEW_INCIDENT_SEVERITIES)[number], ReviewMetricKey> = {
  critical: 'incidentsCritical',
  high: 'incidentsHigh',
  medium: 'incidentsMedium',
  low: 'incidentsLow',
  informational: 'incidentsInformational',
};

/** A day's figure against the day before, the mean of the 7 days before, and the same weekday a week earlier. */
export interface ReviewComparison {
  value: number | null;
  dayBefore: number | null;
  sevenDayAverage: number | null;
  sameWeekdayLastWeek: number | null;
}

export interface ReviewMetric {
  key: ReviewMetricKey;
  family: ReviewFamily;
  unit: 'count' | 'percent';
  direction: ReviewDirection;
  /** The chosen day (today by default). */
  day: ReviewComparison;
  /** The day before the chosen day (yesterday by default). */
  previousDay: ReviewComparison;
}

/** One Vietnam day's figures (the 9 days the comparisons need: the chosen day and the 8 before it). */
export interface ReviewDayValues {
  date: string;
  values: Record<ReviewMetricKey, number | null>;
}

export interface ReviewDistrictRow {
  districtCode: string;
  districtName: string | null;
  trafficVolume: number;
  violations: number;
  dossiersReceived: number;
  dossiersResolved: number;
  dossiersOnTimeRatePercent: number | null;
  dossiersOverdue: number;
  incidentsRaised: number;
}

export interface ReviewAgencyRow {
  /** The dossier agency code, or the agency's name where only field reports name it. */
  agencyKey: string;
  agencyName: string;
  dossiersReceived: number;
  dossiersResolved: number;
  dossiersOnTimeRatePercent: number | null;
  dossiersOverdue: number;
  fieldReportsNew: number;
  fieldReportsResolved: number;
  fieldReportsOverdue: number;
}

export interface DailyReview {
  schemaVersion: typeof REVIEW_SCHEMA_VERSION;
  /** The chosen Vietnam day, YYYY-MM-DD, and the day before it. */
  date: string;
  previousDate: string;
  /** Start of the chosen day (epoch ms) and the instant open items are judged at: min(end of the day, now). */
  dayStartMs: number;
  asOfMs: number;
  generatedAt: string;
  filters: {
    district: string | null;
    agency: string | null;
    /** Families the filter cannot narrow (no district on field reports; no agency on traffic, violations, incidents). */
    notNarrowed: ReviewFamily[];
  };
  metrics: ReviewMetric[];
  days: ReviewDayValues[];
  /** Agencies with dossiers overdue at the end of the chosen day (or now), most first. */
  overdueByAgency: Array<{ agencyCode: string; agencyName: string; overdue: number; toProcess: number }>;
  byDistrict: ReviewDistrictRow[];
  byAgency: ReviewAgencyRow[];
}

/** How many days the comparisons look back from the chosen day: the previous day's 7-day window starts 8 days back. */
export const REVIEW_LOOKBACK_DAYS = 8;

const DATE_PATTERN = /^\d{4}-\d{2}-\d{2}$/;

/** Start (epoch ms) of a Vietnam calendar day given as YYYY-MM-DD. */
export function vietnamDateStartMs(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) - VIETNAM_UTC_OFFSET_MS;
}

/** The Vietnam calendar day (YYYY-MM-DD) containing the instant. */
export function vietnamDateOf(timeMs: number): string {
  return new Date(timeMs + VIETNAM_UTC_OFFSET_MS).toISOString().slice(0, 10);
}

/** A YYYY-MM-DD date moved by whole days. */
export function addDaysToDate(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

function mean(values: ReadonlyArray<number | null>): number | null {
  const present = values.filter((value): value is number => value !== null);
  // A window with a missing day has no honest average; the rate's days with nothing to process are skipped.
  return present.length === 0 ? null : present.reduce((sum, value) => sum + value, 0) / present.length;
}

/**
 * The comparisons of one figure on `date`, from its values per day (missing days are null). The 7-day average
 * is the mean of the daily values of the 7 days before `date` (days without a value, e.g. a rate with nothing
 * to process, are left out of the mean).
 */
export function compareDay(valueOfDate: (date: string) => number | null, date: string): ReviewComparison {
  const window: Array<number | null> = [];
  for (let back = 1; back <= 7; back += 1) window.push(valueOfDate(addDaysToDate(date, -back)));
  return {
    value: valueOfDate(date),
    dayBefore: valueOfDate(addDaysToDate(date, -1)),
    sevenDayAverage: mean(window),
    sameWeekdayLastWeek: valueOfDate(addDaysToDate(date, -7)),
  };
}

/** All metrics with their comparisons for the chosen day and the day before, from the per-day values. */
export function buildReviewMetrics(days: readonly ReviewDayValues[], date: string): ReviewMetric[] {
  const byDate = new Map(days.map((day) => [day.date, day.values]));
  return REVIEW_METRIC_KEYS.map((key) => {
    const valueOf = (day: string): number | null => byDate.get(day)?.[key] ?? null;
    const definition = REVIEW_METRICS[key];
    return {
      key,
      family: definition.family,
      unit: definition.unit,
      direction: definition.direction,
      day: compareDay(valueOf, date),
      previousDay: compareDay(valueOf, addDaysToDate(date, -1)),
    };
  });
}

/** Change of `value` against a reference, in percent; null when either is missing or the reference is 0. */
export function changePercent(value: number | null, reference: number | null): number | null {
  if (value === null || reference === null || reference === 0) return null;
  return (100 * (value - reference)) / reference;
}

/** good / bad / neutral for a change, given which way is good. */
export function judgeChange(direction: ReviewDirection, value: number | null, reference: number | null): 'good' | 'bad' | 'same' | 'neutral' {
  if (value === null || reference === null) return 'neutral';
  if (Math.abs(value - reference) < 1e-9) return 'same';
  if (direction === 'neutral') return 'neutral';
  const rose = value > reference;
  return rose === (direction === 'higherIsBetter') ? 'good' : 'bad';
}

const codeParameter = z.string().min(1).max(128);

/** Query of `GET /api/v1/review/daily[.pdf|.csv]`: a Vietnam day (today when absent) and optional drill-down. */
export const reviewQuerySchema = z
  .object({
    date: z.string().regex(DATE_PATTERN, 'a date YYYY-MM-DD').refine((text) => !Number.isNaN(Date.parse(`${text}T00:00:00Z`)) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text), 'a real calendar date').optional(),
    district: codeParameter.optional(),
    agency: codeParameter.optional(),
    lang: z.enum(['vi', 'en']).optional(),
  })
  .strict();
export type ReviewQuery = z.infer<typeof reviewQuerySchema>;

/** The daily report file names written by the scheduler and `ioc report-daily`. */
export function dailyReportFileName(date: string, extension: 'pdf' | 'csv'): string {
  return `bao-cao-ngay-${date}.${extension}`;
}
