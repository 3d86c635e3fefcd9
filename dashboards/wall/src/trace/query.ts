import { PLATE_QUERY_MAX_CHARACTERS, PLATE_QUERY_MIN_CHARACTERS, PLATE_SEARCH_MAX_RANGE_DAYS, plateSearchKey } from '@ioc/schemas';
import { formatDateTime } from '../i18n';
import { parseVietnamDateTime } from '../operator/queue';

/** What the trace form holds: the plate as typed, the mode, and the range as typed (dd/MM/yyyy HH:mm, Vietnam time). */
export interface TraceForm {
  plate: string;
  mode: 'exact' | 'fuzzy';
  fromText: string;
  toText: string;
}

export type TraceFormProblem = 'plateShort' | 'plateLong' | 'plateNoDigit' | 'fromUnreadable' | 'toUnreadable' | 'rangeOrder' | 'rangeTooLong';

const DAY_MS = 86_400_000;

/** The form a page opens with: `?plate=&mode=&from=&to=` from the URL (the police console links here), else the last 7 days. */
export function initialForm(search: string, nowMs: number): TraceForm {
  const params = new URLSearchParams(search);
  const fromMs = Date.parse(params.get('from') ?? '');
  const toMs = Date.parse(params.get('to') ?? '');
  const to = Number.isFinite(toMs) ? toMs : nowMs;
  return {
    plate: params.get('plate') ?? '',
    mode: params.get('mode') === 'fuzzy' ? 'fuzzy' : 'exact',
    fromText: formatDateTime(Number.isFinite(fromMs) ? fromMs : to - 7 * DAY_MS),
    toText: formatDateTime(to),
  };
}

/**
 * The API query for a form, or what is wrong with it (checked here with the API's own limits, so a typo is told at
 * once; the API checks again). `30E55878`, `30e-558.78` and `30E 558 78` are the same plate.
 */
export function traceQueryOf(form: TraceForm): { ok: true; query: URLSearchParams; plateKey: string } | { ok: false; problem: TraceFormProblem } {
  const plateKey = plateSearchKey(form.plate);
  if (plateKey.length < PLATE_QUERY_MIN_CHARACTERS) return { ok: false, problem: 'plateShort' };
  if (plateKey.length > PLATE_QUERY_MAX_CHARACTERS) return { ok: false, problem: 'plateLong' };
  if (!/[0-9]/.test(plateKey)) return { ok: false, problem: 'plateNoDigit' };
  const fromMs = parseVietnamDateTime(form.fromText);
  if (fromMs === undefined) return { ok: false, problem: 'fromUnreadable' };
  const toMs = parseVietnamDateTime(form.toText);
  if (toMs === undefined) return { ok: false, problem: 'toUnreadable' };
  if (fromMs >= toMs) return { ok: false, problem: 'rangeOrder' };
  // The inputs have minute precision: the end minute counts whole.
  const toEndMs = toMs + 59_999;
  if (toEndMs - fromMs > PLATE_SEARCH_MAX_RANGE_DAYS * DAY_MS) return { ok: false, problem: 'rangeTooLong' };
  const query = new URLSearchParams({ plate: plateKey, mode: form.mode, from: new Date(fromMs).toISOString(), to: new Date(toEndMs).toISOString() });
  return { ok: true, query, plateKey };
}

/** Degrees counter-clockwise from east of the segment a → b on the map (for the arrow glyph between two visits). */
export function arrowAngleDegrees(from: readonly [number, number], to: readonly [number, number]): number {
  // Longitude degrees shrink with latitude; scale them so the arrow points where the line goes on screen.
  const latitudeRadians = (((from[1] + to[1]) / 2) * Math.PI) / 180;
  return (Math.atan2(to[1] - from[1], (to[0] - from[0]) * Math.cos(latitudeRadians)) * 180) / Math.PI;
}
