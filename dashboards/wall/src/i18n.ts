import { SENSOR_PROPERTIES, type SensorProperty } from '@ioc/schemas';
import type { ConnectionStatus } from './state/wall-state';

/** Vietnamese first (the wall's language); English for visitors and vendors. */
export type Lang = 'vi' | 'en';
export const DEFAULT_LANG: Lang = 'vi';

export interface Strings {
  title: string;
  loading: string;
  connection: Record<ConnectionStatus, string>;
  stale: string;
  /** Names of levels 0 (good) … 4 (very bad), as `levelOf` returns them. */
  levels: readonly [string, string, string, string, string];
  noData: string;
  levelsTitle: string;
  chartTitle: (property: string, minutes: number) => string;
  devicesTitle: string;
  alertsTitle: string;
  noAlerts: string;
  lastEvent: string;
  switchLang: string;
}

const vi: Strings = {
  title: 'Trung tâm Điều hành Thông minh',
  loading: 'Đang tải dữ liệu…',
  connection: { connecting: 'Đang kết nối', live: 'Trực tuyến', reconnecting: 'Đang kết nối lại', offline: 'Mất kết nối' },
  stale: 'Dữ liệu chưa cập nhật',
  levels: ['Tốt', 'Trung bình', 'Kém', 'Xấu', 'Rất xấu'],
  noData: 'Không có dữ liệu',
  levelsTitle: 'Mức độ',
  chartTitle: (property: string, minutes: number) => `${property} — ${minutes} phút gần nhất`,
  devicesTitle: 'Thiết bị',
  alertsTitle: 'Cảnh báo mới',
  noAlerts: 'Không có cảnh báo',
  lastEvent: 'Sự kiện cuối',
  switchLang: 'Ngôn ngữ',
};

const en: Strings = {
  title: 'Intelligent Operations Center',
  loading: 'Loading data…',
  connection: { connecting: 'Connecting', live: 'Live', reconnecting: 'Reconnecting', offline: 'Offline' },
  stale: 'Data not updating',
  levels: ['Good', 'Moderate', 'Poor', 'Bad', 'Very bad'],
  noData: 'No data',
  levelsTitle: 'Levels',
  chartTitle: (property: string, minutes: number) => `${property} — last ${minutes} minutes`,
  devicesTitle: 'Devices',
  alertsTitle: 'Latest alerts',
  noAlerts: 'No alerts',
  lastEvent: 'Last event',
  switchLang: 'Language',
};

export const STRINGS: Record<Lang, Strings> = { vi, en };

export function strings(lang: Lang): Strings {
  return STRINGS[lang];
}

export function propertyLabel(property: SensorProperty, lang: Lang): string {
  const definition = SENSOR_PROPERTIES[property];
  return lang === 'vi' ? definition.labelVi : definition.labelEn;
}

export function propertyUnit(property: SensorProperty, lang: Lang): string {
  const unit: string = SENSOR_PROPERTIES[property].unit;
  return lang === 'vi' && unit === 'vehicles/min' ? 'xe/phút' : unit;
}

const numberFormats = new Map<string, Intl.NumberFormat>();

/** 1.234,5 in Vietnamese, 1,234.5 in English; at most `maximumFractionDigits` decimals. */
export function formatNumber(value: number, lang: Lang, maximumFractionDigits = 1): string {
  const key = `${lang}:${maximumFractionDigits}`;
  let format = numberFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-US', { maximumFractionDigits, useGrouping: true });
    numberFormats.set(key, format);
  }
  return format.format(value);
}

/**
 * Wall time is Asia/Ho_Chi_Minh whatever the browser's zone. Vietnam has kept UTC+7 without daylight saving
 * since 1975, so a fixed offset gives the same answer as the tz database without depending on the ICU build.
 */
const VIETNAM_OFFSET_MS = 7 * 3_600_000;

function parts(ms: number): { day: string; month: string; year: string; hours: string; minutes: string; seconds: string } {
  const date = new Date(ms + VIETNAM_OFFSET_MS);
  const pad = (value: number) => String(value).padStart(2, '0');
  return {
    day: pad(date.getUTCDate()),
    month: pad(date.getUTCMonth() + 1),
    year: String(date.getUTCFullYear()),
    hours: pad(date.getUTCHours()),
    minutes: pad(date.getUTCMinutes()),
    seconds: pad(date.getUTCSeconds()),
  };
}

/** dd/MM/yyyy HH:mm (or HH:mm:ss with `seconds`), Vietnam time; the same pattern in both languages. */
export function formatDateTime(ms: number, options: { seconds?: boolean } = {}): string {
  const p = parts(ms);
  return `${p.day}/${p.month}/${p.year} ${p.hours}:${p.minutes}${options.seconds ? `:${p.seconds}` : ''}`;
}

/** HH:mm, Vietnam time (chart axis). */
export function formatTime(ms: number): string {
  const p = parts(ms);
  return `${p.hours}:${p.minutes}`;
}
