import type { PoliceAction, RejectReason, ViolationActionKind, ViolationRecord, ViolationStatus } from '@ioc/schemas';
import type { Lang } from '../i18n';

/** The police console's words: Vietnamese first, English for vendors and visitors. */
export interface PoliceStrings {
  title: string;
  subtitle: string;
  switchLang: string;
  live: string;
  offline: string;
  soundOn: string;
  soundOff: string;
  soundBlocked: string;
  filters: { rule: string; camera: string; from: string; to: string; status: string; all: string; clear: string };
  statuses: Record<ViolationStatus, string>;
  actionNames: Record<ViolationActionKind, string>;
  actionButtons: Record<PoliceAction, string>;
  reasons: Record<RejectReason, string>;
  count: (shown: number, total: number) => string;
  exportButton: (count: number) => string;
  exportHint: string;
  empty: string;
  loading: string;
  pickOne: string;
  newAlert: string;
  evidence: Record<ViolationRecord['evidence'][number]['kind'], string>;
  fields: { plate: string; plateConfidence: string; noPlate: string; trace: string; rule: string; confidence: string; time: string; camera: string; district: string; vehicle: string; status: string; place: string; speed: string };
  reject: { reason: string; pick: string; note: string; notePlaceholder: string; needReason: string; needNote: string; submit: string; cancel: string };
  trail: { title: string; empty: string; by: string; unknownOfficer: string; exportOf: (id: string) => string };
  stale: string;
  noActions: string;
}

const vi: PoliceStrings = {
  title: 'Xử lý vi phạm giao thông',
  subtitle: 'Cảnh sát giao thông · hàng chờ cảnh báo trực tiếp từ camera',
  switchLang: 'English',
  live: 'Trực tiếp',
  offline: 'Mất kết nối — đang thử lại',
  soundOn: 'Âm thanh: bật',
  soundOff: 'Bật âm thanh',
  soundBlocked: 'Trình duyệt chặn âm thanh: bấm "Bật âm thanh"',
  filters: { rule: 'Lỗi vi phạm', camera: 'Camera', from: 'Từ ngày', to: 'Đến ngày', status: 'Trạng thái', all: 'Tất cả', clear: 'Xoá lọc' },
  statuses: { new: 'Chờ xác nhận', confirmed: 'Đã xác nhận', rejected: 'Đã loại', dispatched: 'Đã chuyển xử phạt' },
  actionNames: { confirm: 'Xác nhận', reject: 'Loại bỏ', dispatch: 'Chuyển xử phạt', export: 'Xuất hồ sơ' },
  actionButtons: { confirm: 'Xác nhận vi phạm', reject: 'Loại bỏ…', dispatch: 'Chuyển xử phạt' },
  reasons: {
    notAViolation: 'Không phải vi phạm',
    allowedMovement: 'Hướng đi được phép (mũi tên xanh)',
    priorityVehicle: 'Xe ưu tiên làm nhiệm vụ',
    plateUnreadable: 'Không đọc được biển số',
    duplicate: 'Trùng với cảnh báo khác',
    detectionError: 'Camera nhận dạng sai',
    other: 'Lý do khác (ghi rõ)',
  },
  count: (shown, total) => `${shown} / ${total} vụ`,
  exportButton: (count) => `Xuất hồ sơ ZIP (${count} vụ đã xác nhận)`,
  exportHint: 'Chỉ xuất các vụ đã xác nhận hoặc đã chuyển xử phạt, theo bộ lọc hiện tại',
  empty: 'Không có vụ vi phạm nào khớp bộ lọc',
  loading: 'Đang tải…',
  pickOne: 'Chọn một vụ trong hàng chờ để xem chứng cứ',
  newAlert: 'MỚI',
  evidence: { frameBefore: 'Trước', frameAt: 'Thời điểm vi phạm', frameAfter: 'Sau', vehicleCrop: 'Phương tiện', plateCrop: 'Biển số', clip: 'Đoạn video' },
  fields: {
    plate: 'Biển số',
    plateConfidence: 'Độ tin cậy biển số',
    noPlate: 'Chưa đọc được',
    trace: 'Truy vết',
    rule: 'Lỗi',
    confidence: 'Độ tin cậy nhận dạng',
    time: 'Thời gian',
    camera: 'Camera',
    district: 'Quận/huyện',
    vehicle: 'Loại xe',
    status: 'Trạng thái',
    place: 'Vị trí',
    speed: 'Tốc độ',
  },
  reject: { reason: 'Lý do loại bỏ', pick: '— chọn lý do —', note: 'Ghi chú', notePlaceholder: 'Ghi rõ lý do (bắt buộc với "Lý do khác")', needReason: 'Cần chọn lý do loại bỏ', needNote: 'Lý do khác cần ghi rõ (ít nhất 3 ký tự)', submit: 'Loại bỏ vụ này', cancel: 'Huỷ' },
  trail: { title: 'Nhật ký xử lý', empty: 'Chưa có thao tác nào', by: 'bởi', unknownOfficer: 'không rõ cán bộ', exportOf: (id) => `gói ${id.slice(0, 8)}` },
  stale: 'Vụ này vừa được người khác xử lý; đã tải lại trạng thái mới.',
  noActions: 'Không còn thao tác nào cho vụ này',
};

const en: PoliceStrings = {
  title: 'Traffic violation desk',
  subtitle: 'Traffic police · live alert queue from the cameras',
  switchLang: 'Tiếng Việt',
  live: 'Live',
  offline: 'Disconnected — retrying',
  soundOn: 'Sound: on',
  soundOff: 'Turn sound on',
  soundBlocked: 'The browser blocks sound: click "Turn sound on"',
  filters: { rule: 'Violation', camera: 'Camera', from: 'From date', to: 'To date', status: 'Status', all: 'All', clear: 'Clear filters' },
  statuses: { new: 'To confirm', confirmed: 'Confirmed', rejected: 'Rejected', dispatched: 'Sent for fining' },
  actionNames: { confirm: 'Confirmed', reject: 'Rejected', dispatch: 'Sent for fining', export: 'Exported' },
  actionButtons: { confirm: 'Confirm violation', reject: 'Reject…', dispatch: 'Send for fining' },
  reasons: {
    notAViolation: 'Not a violation',
    allowedMovement: 'Allowed movement (green arrow)',
    priorityVehicle: 'Priority vehicle on duty',
    plateUnreadable: 'Plate unreadable',
    duplicate: 'Duplicate of another alert',
    detectionError: 'Camera detection error',
    other: 'Other (write why)',
  },
  count: (shown, total) => `${shown} / ${total} cases`,
  exportButton: (count) => `Export ZIP (${count} confirmed)`,
  exportHint: 'Exports confirmed and dispatched cases only, with the current filters',
  empty: 'No violation matches the filters',
  loading: 'Loading…',
  pickOne: 'Pick a case in the queue to see its evidence',
  newAlert: 'NEW',
  evidence: { frameBefore: 'Before', frameAt: 'At the violation', frameAfter: 'After', vehicleCrop: 'Vehicle', plateCrop: 'Plate', clip: 'Clip' },
  fields: {
    plate: 'Plate',
    plateConfidence: 'Plate confidence',
    noPlate: 'Not read',
    trace: 'Trace',
    rule: 'Violation',
    confidence: 'Detection confidence',
    time: 'Time',
    camera: 'Camera',
    district: 'District',
    vehicle: 'Vehicle',
    status: 'Status',
    place: 'Place',
    speed: 'Speed',
  },
  reject: { reason: 'Reason', pick: '— pick a reason —', note: 'Note', notePlaceholder: 'Write why (required for "Other")', needReason: 'Pick a reason to reject', needNote: '"Other" needs a note (3 characters or more)', submit: 'Reject this case', cancel: 'Cancel' },
  trail: { title: 'Action trail', empty: 'No action yet', by: 'by', unknownOfficer: 'unknown officer', exportOf: (id) => `package ${id.slice(0, 8)}` },
  stale: 'Someone else just acted on this case; its new status is loaded.',
  noActions: 'No action left on this case',
};

export const POLICE_STRINGS: Record<Lang, PoliceStrings> = { vi, en };
