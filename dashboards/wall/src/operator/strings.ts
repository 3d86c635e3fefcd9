import type { FieldReportAction, FieldReportStatus } from '@ioc/schemas';
import type { Lang } from '../i18n';
import type { SlaState } from './queue';

/** The operator console's words: Vietnamese first, English for vendors and visitors (as the wall's i18n.ts). */
export interface OperatorStrings {
  title: string;
  subtitle: string;
  switchLang: string;
  operatorLabel: string;
  defaultOperator: string;
  filters: { status: string; service: string; agency: string; overdueOnly: string; text: string; textPlaceholder: string; all: string; clear: string };
  statuses: Record<FieldReportStatus, string>;
  sla: Record<SlaState, string>;
  overdueBy: (duration: string) => string;
  dueIn: (duration: string) => string;
  duration: (parts: { days: number; hours: number; minutes: number }) => string;
  count: (shown: string, total: string) => string;
  updatedAt: (time: string) => string;
  live: string;
  polling: string;
  empty: string;
  pickOne: string;
  loading: string;
  columns: { id: string; service: string; place: string; received: string; due: string; status: string };
  detail: {
    description: string;
    noDescription: string;
    photos: string;
    citizenPhoto: string;
    fixPhoto: string;
    noPhoto: string;
    place: string;
    noPlace: string;
    contact: string;
    anonymous: string;
    app: string;
    agency: string;
    due: string;
    received: string;
    closed: string;
    attributes: string;
    history: string;
    internal: string;
  };
  actions: {
    categorise: string;
    categoriseButton: string;
    assign: string;
    agency: string;
    dueAt: string;
    slaHours: (hours: number) => string;
    inHours: (hours: number) => string;
    assignButton: string;
    note: string;
    notePlaceholder: string;
    notePublic: string;
    noteButton: string;
    resolve: string;
    resolveNote: string;
    resolvePhoto: string;
    resolveButton: string;
    reopen: string;
    reopenNote: string;
    reopenButton: string;
    optionalNote: string;
    done: Record<FieldReportAction, string>;
    needNote: string;
    needDue: string;
  };
  historyActions: Record<FieldReportAction, string>;
  mapLabel: string;
}

const vi: OperatorStrings = {
  title: 'Xử lý phản ánh hiện trường',
  subtitle: 'Trung tâm Giám sát, điều hành đô thị thông minh',
  switchLang: 'English',
  operatorLabel: 'Cán bộ xử lý',
  defaultOperator: 'Trực ban IOC',
  filters: { status: 'Trạng thái', service: 'Lĩnh vực', agency: 'Đơn vị xử lý', overdueOnly: 'Chỉ quá hạn', text: 'Tìm kiếm', textPlaceholder: 'Mã, nội dung, địa chỉ…', all: 'Tất cả', clear: 'Xóa lọc' },
  statuses: { new: 'Mới tiếp nhận', assigned: 'Đang xử lý', resolved: 'Đã xử lý' },
  sla: { overdue: 'Quá hạn', dueSoon: 'Sắp đến hạn', onTrack: 'Trong hạn', noDue: 'Chưa có hạn', closed: 'Đã đóng' },
  overdueBy: (duration) => `Quá hạn ${duration}`,
  dueIn: (duration) => `Còn ${duration}`,
  duration: ({ days, hours, minutes }) => (days > 0 ? `${days} ngày ${hours} giờ` : hours > 0 ? `${hours} giờ ${minutes} phút` : `${minutes} phút`),
  count: (shown, total) => `${shown} / ${total} phản ánh`,
  updatedAt: (time) => `Cập nhật ${time}`,
  live: 'Trực tuyến',
  polling: 'Làm mới định kỳ',
  empty: 'Không có phản ánh nào khớp bộ lọc.',
  pickOne: 'Chọn một phản ánh trong danh sách để xem chi tiết.',
  loading: 'Đang tải…',
  columns: { id: 'Mã', service: 'Lĩnh vực', place: 'Nội dung · địa điểm', received: 'Tiếp nhận', due: 'Hạn xử lý', status: 'Trạng thái' },
  detail: {
    description: 'Nội dung phản ánh',
    noDescription: '(Người dân không ghi nội dung)',
    photos: 'Hình ảnh',
    citizenPhoto: 'Ảnh người dân gửi',
    fixPhoto: 'Ảnh sau xử lý',
    noPhoto: 'Không có ảnh',
    place: 'Vị trí',
    noPlace: 'Không có tọa độ',
    contact: 'Người phản ánh',
    anonymous: 'Ẩn danh',
    app: 'Ứng dụng',
    agency: 'Đơn vị xử lý',
    due: 'Hạn xử lý',
    received: 'Tiếp nhận lúc',
    closed: 'Hoàn thành lúc',
    attributes: 'Thông tin thêm',
    history: 'Lịch sử xử lý',
    internal: 'Nội bộ',
  },
  actions: {
    categorise: 'Phân loại',
    categoriseButton: 'Đổi lĩnh vực',
    assign: 'Giao xử lý',
    agency: 'Đơn vị',
    dueAt: 'Hạn xử lý (ngày/tháng/năm giờ:phút)',
    slaHours: (hours) => `Mặc định: ${hours} giờ`,
    inHours: (hours) => `+${hours} giờ`,
    assignButton: 'Giao việc',
    note: 'Ghi chú tiến độ',
    notePlaceholder: 'Nội dung cập nhật…',
    notePublic: 'Công khai cho người dân',
    noteButton: 'Thêm ghi chú',
    resolve: 'Hoàn thành',
    resolveNote: 'Kết quả xử lý',
    resolvePhoto: 'Ảnh sau xử lý (không bắt buộc)',
    resolveButton: 'Đóng phản ánh',
    reopen: 'Mở lại',
    reopenNote: 'Lý do mở lại',
    reopenButton: 'Mở lại phản ánh',
    optionalNote: 'Ghi chú (không bắt buộc)',
    done: { opened: 'Đã tiếp nhận.', categorised: 'Đã đổi lĩnh vực.', assigned: 'Đã giao xử lý.', noted: 'Đã thêm ghi chú.', resolved: 'Đã đóng phản ánh.', reopened: 'Đã mở lại phản ánh.' },
    needNote: 'Xin nhập nội dung.',
    needDue: 'Hạn xử lý không hợp lệ: ghi theo dạng 28/11/2026 17:00 và sau thời điểm hiện tại.',
  },
  historyActions: { opened: 'Tiếp nhận', categorised: 'Phân loại', assigned: 'Giao xử lý', noted: 'Ghi chú', resolved: 'Hoàn thành', reopened: 'Mở lại' },
  mapLabel: 'Bản đồ vị trí phản ánh',
};

const en: OperatorStrings = {
  title: 'Field report triage',
  subtitle: 'Intelligent Operations Center',
  switchLang: 'Tiếng Việt',
  operatorLabel: 'Operator',
  defaultOperator: 'IOC duty officer',
  filters: { status: 'Status', service: 'Service', agency: 'Agency', overdueOnly: 'Overdue only', text: 'Search', textPlaceholder: 'Id, text, address…', all: 'All', clear: 'Clear filters' },
  statuses: { new: 'New', assigned: 'In progress', resolved: 'Resolved' },
  sla: { overdue: 'Overdue', dueSoon: 'Due soon', onTrack: 'On track', noDue: 'No due time', closed: 'Closed' },
  overdueBy: (duration) => `Overdue by ${duration}`,
  dueIn: (duration) => `${duration} left`,
  duration: ({ days, hours, minutes }) => (days > 0 ? `${days} d ${hours} h` : hours > 0 ? `${hours} h ${minutes} min` : `${minutes} min`),
  count: (shown, total) => `${shown} / ${total} reports`,
  updatedAt: (time) => `Updated ${time}`,
  live: 'Live',
  polling: 'Polling',
  empty: 'No report matches the filters.',
  pickOne: 'Pick a report in the list to see it.',
  loading: 'Loading…',
  columns: { id: 'Id', service: 'Service', place: 'Report · place', received: 'Received', due: 'Due', status: 'Status' },
  detail: {
    description: 'Description',
    noDescription: '(No description given)',
    photos: 'Photos',
    citizenPhoto: "Citizen's photo",
    fixPhoto: 'Photo of the fix',
    noPhoto: 'No photo',
    place: 'Place',
    noPlace: 'No coordinates',
    contact: 'Reported by',
    anonymous: 'Anonymous',
    app: 'App',
    agency: 'Agency',
    due: 'Due',
    received: 'Received',
    closed: 'Closed',
    attributes: 'Details',
    history: 'History',
    internal: 'Internal',
  },
  actions: {
    categorise: 'Categorise',
    categoriseButton: 'Change service',
    assign: 'Assign',
    agency: 'Agency',
    dueAt: 'Due (dd/mm/yyyy hh:mm, Vietnam time)',
    slaHours: (hours) => `Default: ${hours} h`,
    inHours: (hours) => `+${hours} h`,
    assignButton: 'Assign',
    note: 'Progress note',
    notePlaceholder: 'Update…',
    notePublic: 'Public (citizen sees it)',
    noteButton: 'Add note',
    resolve: 'Resolve',
    resolveNote: 'Resolution',
    resolvePhoto: 'Photo of the fix (optional)',
    resolveButton: 'Close report',
    reopen: 'Reopen',
    reopenNote: 'Why reopen',
    reopenButton: 'Reopen report',
    optionalNote: 'Note (optional)',
    done: { opened: 'Received.', categorised: 'Service changed.', assigned: 'Assigned.', noted: 'Note added.', resolved: 'Report closed.', reopened: 'Report reopened.' },
    needNote: 'Please write something.',
    needDue: 'The due time is not valid: write it as 28/11/2026 17:00, later than now.',
  },
  historyActions: { opened: 'Received', categorised: 'Categorised', assigned: 'Assigned', noted: 'Note', resolved: 'Resolved', reopened: 'Reopened' },
  mapLabel: 'Map of the reported place',
};

export const OPERATOR_STRINGS: Record<Lang, OperatorStrings> = { vi, en };
