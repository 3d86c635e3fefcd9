import type { Lang } from '../i18n';
import type { TraceFormProblem } from './query';

export interface TraceStrings {
  title: string;
  subtitle: string;
  switchLang: string;
  plateLabel: string;
  platePlaceholder: string;
  exact: string;
  fuzzy: string;
  fromLabel: string;
  toLabel: string;
  search: string;
  searching: string;
  problems: Record<TraceFormProblem, string>;
  visits: (count: number) => string;
  noSightings: string;
  camera: string;
  time: string;
  plateRead: string;
  confidence: string;
  crop: string;
  matchScore: string;
  source: { violation: string; crossing: string };
  unplaced: string;
  mapLabel: string;
  privacy: string;
}

export const TRACE_STRINGS: Record<Lang, TraceStrings> = {
  vi: {
    title: 'Truy vết phương tiện',
    subtitle: 'Tìm biển số qua các camera theo thời gian',
    switchLang: 'English',
    plateLabel: 'Biển số',
    platePlaceholder: 'VD: 30E-558.78',
    exact: 'Chính xác',
    fuzzy: 'Gần đúng',
    fromLabel: 'Từ (dd/MM/yyyy HH:mm)',
    toLabel: 'Đến (dd/MM/yyyy HH:mm)',
    search: 'Truy vết',
    searching: 'Đang tìm…',
    problems: {
      plateShort: 'Biển số cần ít nhất 4 chữ và số.',
      plateLong: 'Biển số quá dài (tối đa 10 chữ và số).',
      plateNoDigit: 'Biển số phải có chữ số.',
      fromUnreadable: 'Thời điểm bắt đầu cần dạng dd/MM/yyyy HH:mm.',
      toUnreadable: 'Thời điểm kết thúc cần dạng dd/MM/yyyy HH:mm.',
      rangeOrder: 'Thời điểm bắt đầu phải trước thời điểm kết thúc.',
      rangeTooLong: 'Khoảng thời gian tối đa 31 ngày.',
    },
    visits: (count) => `${count} lần đi qua camera`,
    noSightings: 'Không có lần ghi nhận nào của biển số này trong khoảng thời gian đã chọn.',
    camera: 'Camera',
    time: 'Thời gian',
    plateRead: 'Biển số đọc được',
    confidence: 'Độ tin cậy',
    crop: 'Ảnh',
    matchScore: 'Mức khớp',
    source: { violation: 'vi phạm', crossing: 'qua vạch' },
    unplaced: 'chưa có vị trí',
    mapLabel: 'Bản đồ hành trình',
    privacy: 'Mỗi lần tra cứu biển số đều được ghi nhật ký (người tra cứu, nội dung tra cứu).',
  },
  en: {
    title: 'Vehicle trace',
    subtitle: 'Find a plate across cameras and time',
    switchLang: 'Tiếng Việt',
    plateLabel: 'Plate',
    platePlaceholder: 'e.g. 30E-558.78',
    exact: 'Exact',
    fuzzy: 'Fuzzy',
    fromLabel: 'From (dd/MM/yyyy HH:mm)',
    toLabel: 'To (dd/MM/yyyy HH:mm)',
    search: 'Trace',
    searching: 'Searching…',
    problems: {
      plateShort: 'A plate needs at least 4 letters and digits.',
      plateLong: 'The plate is too long (at most 10 letters and digits).',
      plateNoDigit: 'A plate has digits.',
      fromUnreadable: 'The start needs the form dd/MM/yyyy HH:mm.',
      toUnreadable: 'The end needs the form dd/MM/yyyy HH:mm.',
      rangeOrder: 'The start must be before the end.',
      rangeTooLong: 'The range is at most 31 days.',
    },
    visits: (count) => `${count} camera visit${count === 1 ? '' : 's'}`,
    noSightings: 'No sighting of this plate in the chosen range.',
    camera: 'Camera',
    time: 'Time',
    plateRead: 'Plate read',
    confidence: 'Confidence',
    crop: 'Image',
    matchScore: 'Match',
    source: { violation: 'violation', crossing: 'line crossing' },
    unplaced: 'no position',
    mapLabel: 'Trace map',
    privacy: 'Every plate lookup is logged (who searched and for what).',
  },
};
