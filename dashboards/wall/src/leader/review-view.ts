import { changePercent, judgeChange, type ReviewMetric } from '@ioc/schemas';
import { formatNumber, type Lang } from '../i18n';

/** How one comparison is shown: the change as text, which way it went, and whether that is good. */
export interface DeltaView {
  text: string;
  arrow: '▲' | '▼' | '=' | '';
  tone: 'good' | 'bad' | 'same' | 'neutral';
}

/**
 * The change of a figure against a reference: percent for counts (the absolute change when the reference is
 * 0), percentage points for rates; the tone from the metric's direction (a rise in violations is bad).
 */
export function deltaView(metric: Pick<ReviewMetric, 'unit' | 'direction'>, value: number | null, reference: number | null, lang: Lang, pointsLabel: string): DeltaView {
  const tone = judgeChange(metric.direction, value, reference);
  if (value === null || reference === null) return { text: '–', arrow: '', tone: 'neutral' };
  const delta = value - reference;
  if (Math.abs(delta) < 1e-9) return { text: '0', arrow: '=', tone: 'same' };
  const arrow = delta > 0 ? '▲' : '▼';
  const sign = delta > 0 ? '+' : '−';
  if (metric.unit === 'percent') return { text: `${sign}${formatNumber(Math.abs(delta), lang, 1)} ${pointsLabel}`, arrow, tone };
  const percent = changePercent(value, reference);
  if (percent === null) return { text: `${sign}${formatNumber(Math.abs(delta), lang, 1)}`, arrow, tone };
  return { text: `${sign}${formatNumber(Math.abs(percent), lang, 1)} %`, arrow, tone };
}

/** A figure: counts whole (averages to one decimal), rates with one decimal and a percent sign. */
export function formatFigure(value: number | null, unit: 'count' | 'percent', lang: Lang): string {
  if (value === null) return '–';
  return unit === 'percent' ? `${formatNumber(value, lang, 1)} %` : formatNumber(value, lang, Number.isInteger(value) ? 0 : 1);
}

/** dd/MM/yyyy from YYYY-MM-DD. */
export function displayDate(date: string): string {
  const [year, month, day] = date.split('-');
  return `${day}/${month}/${year}`;
}

/** YYYY-MM-DD from a typed dd/MM/yyyy (d/M/yyyy too), or undefined when it is not a real date. */
export function parseDisplayDate(text: string): string | undefined {
  const match = /^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$/.exec(text);
  if (!match) return undefined;
  const date = `${match[3]}-${(match[2] as string).padStart(2, '0')}-${(match[1] as string).padStart(2, '0')}`;
  const parsed = new Date(`${date}T00:00:00Z`);
  return Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date ? undefined : date;
}

/** The review's query string for a date and optional drill-down (shared by the JSON, PDF and CSV links). */
export function reviewQuery(filters: { date: string; district?: string | undefined; agency?: string | undefined; lang?: Lang }): string {
  const params = new URLSearchParams({ date: filters.date });
  if (filters.district) params.set('district', filters.district);
  if (filters.agency) params.set('agency', filters.agency);
  if (filters.lang) params.set('lang', filters.lang);
  return params.toString();
}
