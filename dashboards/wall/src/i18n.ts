import { SENSOR_PROPERTIES, type SensorProperty } from '@ioc/schemas';
import type { ConnectionStatus } from './state/wall-state';
import type { PanelId, SceneId } from './scenes';

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
  scenes: Record<SceneId, string>;
  panels: Record<PanelId, string>;
  /** A panel whose data the server does not offer yet, or that has none. */
  noDataYet: string;
  staleSince: (time: string) => string;
  pin: string;
  unpin: string;
  kpi: { devicesOnline: string; camerasOnline: string; alerts: string; violationsToday: string };
  today: string;
  yesterday: string;
  countingSince: (time: string) => string;
  vehicleTypes: Record<string, string>;
  rules: Record<string, string>;
  severities: Record<string, string>;
  cameraStates: Record<'online' | 'offline' | 'starting' | 'stopped', string>;
  /** Beside a camera: vehicles counted since its pipeline started. */
  cameraCounted: (count: string) => string;
  dossier: { onTimeRate: string; received: string; resolved: string; overdue: string };
  /** Field reports: triage status (open ones), resolved today, and open ones against their due time. */
  reportStatuses: Record<'new' | 'assigned' | 'resolved', string>;
  reportStatusesShort: Record<'new' | 'assigned' | 'resolved', string>;
  reportByStatus: string;
  reportBySla: string;
  sla: Record<'onTime' | 'nearDue' | 'overdue', string>;
  /** Incidents by severity: open and not acknowledged, acknowledged by an operator. */
  incidentColumns: { open: string; acknowledged: string };
  alertKinds: Record<'violation' | 'fieldReport' | 'incident', string>;
  reportCard: { service: string; status: string; reportedAt: string; due: string; agency: string; noPhoto: string; photo: string };
  close: string;
  noSnapshot: string;
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
  scenes: { overview: 'Tổng quan', traffic: 'Giao thông', publicServices: 'Dịch vụ công', incidents: 'Sự cố' },
  panels: {
    kpis: 'Chỉ số chính',
    trend: 'Diễn biến',
    legend: 'Mức độ',
    ranking: 'Thiết bị',
    alerts: 'Cảnh báo mới',
    cameraStrip: 'Camera',
    trafficVolume: 'Lưu lượng theo giờ',
    vehicleMix: 'Cơ cấu phương tiện',
    violationsByRule: 'Vi phạm theo lỗi (hôm nay)',
    dossierGauges: 'Hồ sơ thủ tục hành chính',
    overdueAgencies: 'Cơ quan trễ hạn nhiều nhất',
    fieldReports: 'Phản ánh hiện trường',
    incidentsBySeverity: 'Sự cố theo mức độ',
  },
  noDataYet: 'Chưa có dữ liệu',
  staleSince: (time: string) => `Dữ liệu cũ từ ${time}`,
  pin: 'Ghim cảnh',
  unpin: 'Bỏ ghim',
  kpi: { devicesOnline: 'Thiết bị hoạt động', camerasOnline: 'Camera trực tuyến', alerts: 'Cảnh báo', violationsToday: 'Vi phạm hôm nay' },
  today: 'Hôm nay',
  yesterday: 'Hôm qua',
  countingSince: (time: string) => `Đếm từ ${time}`,
  vehicleTypes: { car: 'Ô tô', motorcycle: 'Xe máy', motorbike: 'Xe máy', bus: 'Xe buýt', lorry: 'Xe tải', truck: 'Xe tải', bicycle: 'Xe đạp', other: 'Khác' },
  rules: { redLightViolation: 'Vượt đèn đỏ', speeding: 'Quá tốc độ', carWrongDirection: 'Đi ngược chiều', laneViolation: 'Sai làn đường', carStopped: 'Dừng, đỗ sai quy định' },
  severities: { critical: 'Nghiêm trọng', high: 'Cao', medium: 'Trung bình', low: 'Thấp', informational: 'Thông tin' },
  cameraStates: { online: 'Trực tuyến', offline: 'Mất tín hiệu', starting: 'Đang khởi động', stopped: 'Đã dừng' },
  cameraCounted: (count) => `${count} xe đã đếm`,
  dossier: { onTimeRate: 'Đúng hạn', received: 'Tiếp nhận hôm nay', resolved: 'Giải quyết hôm nay', overdue: 'hồ sơ trễ hạn' },
  reportStatuses: { new: 'Mới tiếp nhận', assigned: 'Đang xử lý', resolved: 'Đã xử lý hôm nay' },
  reportStatusesShort: { new: 'Mới tiếp nhận', assigned: 'Đang xử lý', resolved: 'Đã xử lý xong' },
  reportByStatus: 'Theo trạng thái',
  reportBySla: 'Theo hạn xử lý',
  sla: { onTime: 'Trong hạn', nearDue: 'Sắp đến hạn', overdue: 'Quá hạn' },
  incidentColumns: { open: 'Chưa xác nhận', acknowledged: 'Đã xác nhận' },
  alertKinds: { violation: 'Vi phạm giao thông', fieldReport: 'Phản ánh hiện trường', incident: 'Sự cố' },
  reportCard: { service: 'Lĩnh vực', status: 'Trạng thái', reportedAt: 'Thời gian phản ánh', due: 'Hạn xử lý', agency: 'Đơn vị xử lý', noPhoto: 'Không có ảnh', photo: 'Ảnh hiện trường' },
  close: 'Đóng',
  noSnapshot: 'Chưa có ảnh',
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
  scenes: { overview: 'Overview', traffic: 'Traffic', publicServices: 'Public services', incidents: 'Incidents' },
  panels: {
    kpis: 'Key figures',
    trend: 'Trend',
    legend: 'Levels',
    ranking: 'Devices',
    alerts: 'Latest alerts',
    cameraStrip: 'Cameras',
    trafficVolume: 'Volume per hour',
    vehicleMix: 'Vehicle mix',
    violationsByRule: 'Violations by rule (today)',
    dossierGauges: 'Administrative dossiers',
    overdueAgencies: 'Most overdue agencies',
    fieldReports: 'Field reports',
    incidentsBySeverity: 'Incidents by severity',
  },
  noDataYet: 'No data yet',
  staleSince: (time: string) => `Stale since ${time}`,
  pin: 'Pin scene',
  unpin: 'Unpin',
  kpi: { devicesOnline: 'Devices reporting', camerasOnline: 'Cameras online', alerts: 'Alerts', violationsToday: 'Violations today' },
  today: 'Today',
  yesterday: 'Yesterday',
  countingSince: (time: string) => `Counting since ${time}`,
  vehicleTypes: { car: 'Car', motorcycle: 'Motorcycle', motorbike: 'Motorcycle', bus: 'Bus', lorry: 'Lorry', truck: 'Lorry', bicycle: 'Bicycle', other: 'Other' },
  rules: { redLightViolation: 'Red light', speeding: 'Speeding', carWrongDirection: 'Wrong direction', laneViolation: 'Wrong lane', carStopped: 'Illegal stop' },
  severities: { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low', informational: 'Info' },
  cameraStates: { online: 'Online', offline: 'No signal', starting: 'Starting', stopped: 'Stopped' },
  cameraCounted: (count) => `${count} vehicles counted`,
  dossier: { onTimeRate: 'On time', received: 'Received today', resolved: 'Resolved today', overdue: 'overdue dossiers' },
  reportStatuses: { new: 'New', assigned: 'Assigned', resolved: 'Resolved today' },
  reportStatusesShort: { new: 'New', assigned: 'Assigned', resolved: 'Resolved' },
  reportByStatus: 'By status',
  reportBySla: 'Against due time',
  sla: { onTime: 'On time', nearDue: 'Near due', overdue: 'Overdue' },
  incidentColumns: { open: 'Not acknowledged', acknowledged: 'Acknowledged' },
  alertKinds: { violation: 'Traffic violation', fieldReport: 'Field report', incident: 'Incident' },
  reportCard: { service: 'Service', status: 'Status', reportedAt: 'Reported', due: 'Due', agency: 'Agency', noPhoto: 'No photo', photo: 'Photo from the site' },
  close: 'Close',
  noSnapshot: 'No image yet',
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
