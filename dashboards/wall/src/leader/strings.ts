import type { ReviewFamily } from '@ioc/schemas';
import type { Lang } from '../i18n';

/** The leader page's words: Vietnamese first, English for visitors (the wall's i18n pattern). */
export interface LeaderStrings {
  title: string;
  subtitle: string;
  date: string;
  today: string;
  switchLang: string;
  pdf: string;
  csv: string;
  print: string;
  loading: string;
  failed: string;
  retry: string;
  wholeProvince: string;
  district: string;
  agency: string;
  clearFilter: string;
  notNarrowed: string;
  families: Record<ReviewFamily, string>;
  metric: string;
  selectedDay: (date: string) => string;
  previousDay: (date: string) => string;
  value: string;
  vsDayBefore: string;
  vsSevenDayAverage: string;
  vsLastWeek: string;
  same: string;
  percentPoints: string;
  trendTitle: (metric: string) => string;
  overdueTitle: string;
  noOverdue: string;
  overdue: string;
  toProcess: string;
  byDistrict: string;
  byAgency: string;
  noDistrict: string;
  columns: {
    traffic: string; violations: string; received: string; resolved: string; onTime: string; overdue: string; incidents: string;
    reportsNew: string; reportsResolved: string; reportsOverdue: string;
  };
  drillHint: string;
  asOf: (time: string) => string;
  asOfEndOfDay: (date: string) => string;
  previousDayButton: string;
  nextDayButton: string;
  better: string;
  worse: string;
}

const vi: LeaderStrings = {
  title: 'Báo cáo điều hành hằng ngày',
  subtitle: 'Trung tâm Điều hành Thông minh',
  date: 'Ngày báo cáo',
  today: 'Hôm nay',
  switchLang: 'English',
  pdf: 'Tải PDF',
  csv: 'Tải CSV',
  print: 'In',
  loading: 'Đang tải số liệu…',
  failed: 'Không tải được số liệu',
  retry: 'Thử lại',
  wholeProvince: 'Toàn tỉnh',
  district: 'Huyện/thành phố',
  agency: 'Cơ quan',
  clearFilter: 'Bỏ lọc',
  notNarrowed: 'Không lọc được theo lựa chọn này',
  families: { traffic: 'Giao thông', violations: 'Vi phạm giao thông', dossiers: 'Hồ sơ thủ tục hành chính', fieldReports: 'Phản ánh hiện trường', incidents: 'Sự cố hệ thống' },
  metric: 'Chỉ tiêu',
  selectedDay: (date) => `Ngày ${date}`,
  previousDay: (date) => `Ngày trước (${date})`,
  value: 'Số liệu',
  vsDayBefore: 'So với ngày trước',
  vsSevenDayAverage: 'So với TB 7 ngày',
  vsLastWeek: 'So với cùng thứ tuần trước',
  same: 'không đổi',
  percentPoints: 'điểm %',
  trendTitle: (metric) => `${metric} — 9 ngày gần nhất`,
  overdueTitle: 'Cơ quan có hồ sơ quá hạn',
  noOverdue: 'Không có hồ sơ quá hạn',
  overdue: 'Quá hạn',
  toProcess: 'Phải giải quyết',
  byDistrict: 'Theo huyện/thành phố',
  byAgency: 'Theo cơ quan',
  noDistrict: 'Không gắn địa bàn',
  columns: {
    traffic: 'Lưu lượng', violations: 'Vi phạm', received: 'Tiếp nhận', resolved: 'Đã giải quyết', onTime: 'Đúng hạn', overdue: 'Quá hạn', incidents: 'Sự cố',
    reportsNew: 'Phản ánh mới', reportsResolved: 'PA đã xử lý', reportsOverdue: 'PA quá hạn',
  },
  drillHint: 'Bấm vào một dòng để xem riêng',
  asOf: (time) => `Số liệu tính đến ${time}`,
  asOfEndOfDay: (date) => `Số liệu tính đến hết ngày ${date}`,
  previousDayButton: 'Ngày trước',
  nextDayButton: 'Ngày sau',
  better: 'tốt hơn',
  worse: 'kém hơn',
};

const en: LeaderStrings = {
  title: 'Daily operations review',
  subtitle: 'Intelligent Operations Center',
  date: 'Report date',
  today: 'Today',
  switchLang: 'Tiếng Việt',
  pdf: 'Download PDF',
  csv: 'Download CSV',
  print: 'Print',
  loading: 'Loading figures…',
  failed: 'Could not load the figures',
  retry: 'Retry',
  wholeProvince: 'Whole province',
  district: 'District',
  agency: 'Agency',
  clearFilter: 'Clear',
  notNarrowed: 'Not narrowed by this selection',
  families: { traffic: 'Traffic', violations: 'Traffic violations', dossiers: 'Administrative dossiers', fieldReports: 'Citizen field reports', incidents: 'System incidents' },
  metric: 'Figure',
  selectedDay: (date) => `Day ${date}`,
  previousDay: (date) => `Day before (${date})`,
  value: 'Value',
  vsDayBefore: 'vs day before',
  vsSevenDayAverage: 'vs 7-day average',
  vsLastWeek: 'vs same day last week',
  same: 'unchanged',
  percentPoints: 'pt',
  trendTitle: (metric) => `${metric} — last 9 days`,
  overdueTitle: 'Agencies with overdue dossiers',
  noOverdue: 'No overdue dossiers',
  overdue: 'Overdue',
  toProcess: 'To process',
  byDistrict: 'By district',
  byAgency: 'By agency',
  noDistrict: 'No district',
  columns: {
    traffic: 'Vehicles', violations: 'Violations', received: 'Received', resolved: 'Resolved', onTime: 'On time', overdue: 'Overdue', incidents: 'Incidents',
    reportsNew: 'New reports', reportsResolved: 'Resolved', reportsOverdue: 'Past SLA',
  },
  drillHint: 'Click a row to see it alone',
  asOf: (time) => `Figures as of ${time}`,
  asOfEndOfDay: (date) => `Figures to the end of ${date}`,
  previousDayButton: 'Previous day',
  nextDayButton: 'Next day',
  better: 'better',
  worse: 'worse',
};

export const LEADER_STRINGS: Record<Lang, LeaderStrings> = { vi, en };
