import type { Lang } from '../i18n';
import type { FormProblem } from './form';

/** The citizen page's words: Vietnamese first, English on request. */
export interface ReportStrings {
  title: string;
  subtitle: string;
  switchLang: string;
  newReport: string;
  followTitle: string;
  service: string;
  chooseService: string;
  description: string;
  descriptionPlaceholder: string;
  location: string;
  locationHelp: string;
  latitude: string;
  longitude: string;
  useMyPosition: string;
  locating: string;
  positionDenied: string;
  address: string;
  addressPlaceholder: string;
  photo: string;
  photoHelp: string;
  contact: string;
  contactHelp: string;
  lastName: string;
  firstName: string;
  email: string;
  phone: string;
  submit: string;
  sending: string;
  problems: Record<Exclude<FormProblem, `attribute:${string}`>, string> & { attribute: (name: string) => string };
  fixThese: string;
  created: string;
  createdHelp: string;
  requestId: string;
  followLink: string;
  another: string;
  lookup: string;
  lookupPlaceholder: string;
  lookupButton: string;
  sentHere: string;
  status: Record<'open' | 'closed', string>;
  statusNotes: string;
  agency: string;
  requested: string;
  updated: string;
  expected: string;
  history: string;
  resolution: string;
  photoOfFix: string;
  yourPhoto: string;
  refresh: string;
  mapLabel: string;
  loading: string;
}

const vi: ReportStrings = {
  title: 'Phản ánh hiện trường',
  subtitle: 'Gửi phản ánh về hạ tầng, môi trường, trật tự đô thị tới chính quyền tỉnh',
  switchLang: 'English',
  newReport: 'Gửi phản ánh mới',
  followTitle: 'Theo dõi phản ánh',
  service: 'Lĩnh vực',
  chooseService: '— Chọn lĩnh vực —',
  description: 'Nội dung phản ánh',
  descriptionPlaceholder: 'Mô tả sự việc, mức độ, thời điểm bạn thấy…',
  location: 'Vị trí',
  locationHelp: 'Chạm vào bản đồ để chọn vị trí, hoặc dùng vị trí hiện tại của bạn.',
  latitude: 'Vĩ độ',
  longitude: 'Kinh độ',
  useMyPosition: 'Dùng vị trí của tôi',
  locating: 'Đang xác định vị trí…',
  positionDenied: 'Không lấy được vị trí của thiết bị; xin chọn trên bản đồ.',
  address: 'Địa chỉ (không bắt buộc)',
  addressPlaceholder: 'Số nhà, đường, phường/xã',
  photo: 'Ảnh hiện trường (không bắt buộc)',
  photoHelp: 'Ảnh JPEG hoặc PNG, tối đa 8 MB. Thông tin vị trí trong ảnh được xóa trước khi lưu.',
  contact: 'Thông tin liên hệ (không bắt buộc)',
  contactHelp: 'Chỉ cán bộ xử lý nhìn thấy; không công khai.',
  lastName: 'Họ',
  firstName: 'Tên',
  email: 'Thư điện tử',
  phone: 'Số điện thoại',
  submit: 'Gửi phản ánh',
  sending: 'Đang gửi…',
  problems: {
    service: 'Xin chọn lĩnh vực.',
    location: 'Xin chọn vị trí trên bản đồ hoặc ghi địa chỉ.',
    latitude: 'Vĩ độ không hợp lệ.',
    longitude: 'Kinh độ không hợp lệ.',
    description: 'Xin mô tả sự việc.',
    email: 'Địa chỉ thư điện tử không hợp lệ.',
    photoSize: 'Ảnh quá lớn: tối đa 8 MB.',
    attribute: (name) => `Xin điền: ${name}.`,
  },
  fixThese: 'Xin kiểm tra lại:',
  created: 'Đã gửi phản ánh',
  createdHelp: 'Ghi lại mã phản ánh để theo dõi kết quả xử lý.',
  requestId: 'Mã phản ánh',
  followLink: 'Theo dõi phản ánh này',
  another: 'Gửi phản ánh khác',
  lookup: 'Tra cứu phản ánh đã gửi',
  lookupPlaceholder: 'Ví dụ: 26-00000042',
  lookupButton: 'Tra cứu',
  sentHere: 'Phản ánh đã gửi từ thiết bị này:',
  status: { open: 'Đang xử lý', closed: 'Đã xử lý xong' },
  statusNotes: 'Cập nhật mới nhất',
  agency: 'Đơn vị xử lý',
  requested: 'Gửi lúc',
  updated: 'Cập nhật lúc',
  expected: 'Hạn xử lý dự kiến',
  history: 'Quá trình xử lý',
  resolution: 'Kết quả xử lý',
  photoOfFix: 'Ảnh sau xử lý',
  yourPhoto: 'Ảnh bạn gửi',
  refresh: 'Làm mới',
  mapLabel: 'Bản đồ chọn vị trí',
  loading: 'Đang tải…',
};

const en: ReportStrings = {
  title: 'Field report',
  subtitle: 'Report road, environment and public-order problems to the province',
  switchLang: 'Tiếng Việt',
  newReport: 'New report',
  followTitle: 'Follow a report',
  service: 'Service',
  chooseService: '— Choose a service —',
  description: 'What is the problem?',
  descriptionPlaceholder: 'Describe what you saw, how bad, when…',
  location: 'Location',
  locationHelp: 'Tap the map to place it, or use your current position.',
  latitude: 'Latitude',
  longitude: 'Longitude',
  useMyPosition: 'Use my position',
  locating: 'Finding your position…',
  positionDenied: 'Your position is not available; please pick it on the map.',
  address: 'Address (optional)',
  addressPlaceholder: 'House number, street, ward',
  photo: 'Photo (optional)',
  photoHelp: 'JPEG or PNG, at most 8 MB. Location data inside the photo is removed before it is stored.',
  contact: 'Contact (optional)',
  contactHelp: 'Only the officers handling the report see it; never published.',
  lastName: 'Last name',
  firstName: 'First name',
  email: 'Email',
  phone: 'Phone',
  submit: 'Send report',
  sending: 'Sending…',
  problems: {
    service: 'Please choose a service.',
    location: 'Please pick the place on the map or write an address.',
    latitude: 'The latitude is not valid.',
    longitude: 'The longitude is not valid.',
    description: 'Please describe the problem.',
    email: 'The email address is not valid.',
    photoSize: 'The photo is too large: 8 MB at most.',
    attribute: (name) => `Please fill in: ${name}.`,
  },
  fixThese: 'Please check:',
  created: 'Report sent',
  createdHelp: 'Keep the report id to follow how it is handled.',
  requestId: 'Report id',
  followLink: 'Follow this report',
  another: 'Send another report',
  lookup: 'Look up a report',
  lookupPlaceholder: 'e.g. 26-00000042',
  lookupButton: 'Look up',
  sentHere: 'Reports sent from this device:',
  status: { open: 'In progress', closed: 'Resolved' },
  statusNotes: 'Latest update',
  agency: 'Handled by',
  requested: 'Sent',
  updated: 'Updated',
  expected: 'Expected by',
  history: 'History',
  resolution: 'Resolution',
  photoOfFix: 'Photo of the fix',
  yourPhoto: 'Your photo',
  refresh: 'Refresh',
  mapLabel: 'Map to pick the place',
  loading: 'Loading…',
};

export const REPORT_STRINGS: Record<Lang, ReportStrings> = { vi, en };
