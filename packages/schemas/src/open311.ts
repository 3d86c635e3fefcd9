import { z } from 'zod';
import { isoDateTimeSchema, latitudeSchema, longitudeSchema } from './common';

/**
 * Citizen field reports (phản ánh hiện trường) through Open311 GeoReport v2
 * (https://wiki.open311.org/GeoReport_v2). Field names on the wire are the specification's, snake_case;
 * everything inside the IOC uses camelCase. One jurisdiction per installation (the province).
 */

/** The IOC's own workflow; Open311 only knows `open` and `closed`. */
export const FIELD_REPORT_STATUSES = ['new', 'assigned', 'resolved'] as const;
export type FieldReportStatus = (typeof FIELD_REPORT_STATUSES)[number];
export const open311StatusOf = (status: FieldReportStatus): 'open' | 'closed' => (status === 'resolved' ? 'closed' : 'open');

export const OPEN311_DATATYPES = ['string', 'number', 'datetime', 'text', 'singlevaluelist', 'multivaluelist'] as const;

export interface Open311AttributeDefinition {
  code: string;
  datatype: (typeof OPEN311_DATATYPES)[number];
  required: boolean;
  order: number;
  descriptionVi: string;
  descriptionEn: string;
  values?: ReadonlyArray<{ key: string; nameVi: string; nameEn: string }>;
}

export interface Open311ServiceEntry {
  serviceCode: string;
  nameVi: string;
  nameEn: string;
  descriptionVi: string;
  descriptionEn: string;
  groupVi: string;
  groupEn: string;
  keywords: string;
  /** Agency a new report goes to until an operator assigns another. */
  agencyVi: string;
  /** Hours from receipt (or assignment) to the expected fix: `expected_datetime`. */
  slaHours: number;
  attributes: readonly Open311AttributeDefinition[];
}

const SIZE_VALUES = [
  { key: 'nho', nameVi: 'Nhỏ (dưới 30 cm)', nameEn: 'Small (under 30 cm)' },
  { key: 'vua', nameVi: 'Vừa (30 cm – 1 m)', nameEn: 'Medium (30 cm – 1 m)' },
  { key: 'lon', nameVi: 'Lớn (trên 1 m)', nameEn: 'Large (over 1 m)' },
] as const;

/**
 * The services a province's citizens report, grouped as provincial IOC portals group them. SLA hours are
 * defaults an operator overrides per report when assigning.
 */
export const OPEN311_SERVICES: readonly Open311ServiceEntry[] = [
  {
    serviceCode: 'GT-OGA',
    nameVi: 'Ổ gà, ổ voi trên đường',
    nameEn: 'Pothole',
    descriptionVi: 'Mặt đường có ổ gà, ổ voi gây nguy hiểm cho người tham gia giao thông.',
    descriptionEn: 'A pothole in the carriageway that endangers road users.',
    groupVi: 'Hạ tầng giao thông',
    groupEn: 'Road infrastructure',
    keywords: 'ổ gà, ổ voi, mặt đường, pothole',
    agencyVi: 'Sở Xây dựng',
    slaHours: 72,
    attributes: [{ code: 'KICH_THUOC', datatype: 'singlevaluelist', required: false, order: 1, descriptionVi: 'Kích thước ổ gà', descriptionEn: 'Size of the pothole', values: SIZE_VALUES }],
  },
  {
    serviceCode: 'GT-MATDUONG',
    nameVi: 'Hư hỏng mặt đường, cầu, cống',
    nameEn: 'Damaged road surface, bridge or culvert',
    descriptionVi: 'Mặt đường lún, nứt, sụt; lan can cầu, nắp cống hư hỏng.',
    descriptionEn: 'Subsided or cracked road surface; broken bridge railings or drain covers.',
    groupVi: 'Hạ tầng giao thông',
    groupEn: 'Road infrastructure',
    keywords: 'lún, nứt, sụt lún, nắp cống, cầu',
    agencyVi: 'Sở Xây dựng',
    slaHours: 120,
    attributes: [],
  },
  {
    serviceCode: 'CS-DEN',
    nameVi: 'Đèn chiếu sáng công cộng hỏng',
    nameEn: 'Street light out',
    descriptionVi: 'Đèn đường không sáng, sáng ban ngày, cột đèn nghiêng đổ.',
    descriptionEn: 'A street light that is out, on during the day, or a leaning pole.',
    groupVi: 'Chiếu sáng công cộng',
    groupEn: 'Public lighting',
    keywords: 'đèn đường, chiếu sáng, cột đèn',
    agencyVi: 'Phòng Quản lý đô thị thành phố Điện Biên Phủ',
    slaHours: 48,
    attributes: [{ code: 'SO_DEN', datatype: 'number', required: false, order: 1, descriptionVi: 'Số đèn không sáng', descriptionEn: 'Number of lights out' }],
  },
  {
    serviceCode: 'MT-RAC',
    nameVi: 'Rác thải không được thu gom',
    nameEn: 'Uncollected rubbish',
    descriptionVi: 'Rác thải sinh hoạt, phế thải xây dựng tồn đọng, đổ trộm nơi công cộng.',
    descriptionEn: 'Household waste or construction debris left uncollected or dumped in public places.',
    groupVi: 'Vệ sinh môi trường',
    groupEn: 'Sanitation',
    keywords: 'rác, phế thải, đổ trộm, vệ sinh',
    agencyVi: 'Đơn vị vệ sinh môi trường đô thị',
    slaHours: 24,
    attributes: [
      {
        code: 'LOAI_RAC',
        datatype: 'singlevaluelist',
        required: false,
        order: 1,
        descriptionVi: 'Loại rác',
        descriptionEn: 'Kind of waste',
        values: [
          { key: 'sinh_hoat', nameVi: 'Rác sinh hoạt', nameEn: 'Household waste' },
          { key: 'xay_dung', nameVi: 'Phế thải xây dựng', nameEn: 'Construction debris' },
          { key: 'nguy_hai', nameVi: 'Chất thải nguy hại', nameEn: 'Hazardous waste' },
        ],
      },
    ],
  },
  {
    serviceCode: 'MT-ONHIEM',
    nameVi: 'Ô nhiễm môi trường (khói, bụi, mùi, tiếng ồn)',
    nameEn: 'Pollution (smoke, dust, odour, noise)',
    descriptionVi: 'Đốt rác, khói bụi, mùi hôi, tiếng ồn vượt mức.',
    descriptionEn: 'Open burning, smoke, dust, odours or excessive noise.',
    groupVi: 'Vệ sinh môi trường',
    groupEn: 'Sanitation',
    keywords: 'khói, bụi, mùi, ồn, ô nhiễm',
    agencyVi: 'Sở Tài nguyên và Môi trường',
    slaHours: 72,
    attributes: [],
  },
  {
    serviceCode: 'TN-NGAP',
    nameVi: 'Ngập úng',
    nameEn: 'Flooding',
    descriptionVi: 'Đường, khu dân cư bị ngập nước; cống thoát nước tắc.',
    descriptionEn: 'A flooded street or neighbourhood; a blocked drain.',
    groupVi: 'Cấp thoát nước',
    groupEn: 'Water and drainage',
    keywords: 'ngập, úng, cống, thoát nước',
    agencyVi: 'Đơn vị thoát nước đô thị',
    slaHours: 12,
    attributes: [{ code: 'DO_SAU_CM', datatype: 'number', required: false, order: 1, descriptionVi: 'Độ sâu ước tính (cm)', descriptionEn: 'Estimated depth (cm)' }],
  },
  {
    serviceCode: 'TN-CAPNUOC',
    nameVi: 'Vỡ đường ống, mất nước sinh hoạt',
    nameEn: 'Burst water main or no water supply',
    descriptionVi: 'Đường ống cấp nước bị vỡ, rò rỉ; khu dân cư mất nước.',
    descriptionEn: 'A burst or leaking water main; a neighbourhood without water.',
    groupVi: 'Cấp thoát nước',
    groupEn: 'Water and drainage',
    keywords: 'nước sạch, vỡ ống, rò rỉ',
    agencyVi: 'Đơn vị cấp nước sạch',
    slaHours: 24,
    attributes: [],
  },
  {
    serviceCode: 'TT-VIAHE',
    nameVi: 'Lấn chiếm vỉa hè, lòng đường',
    nameEn: 'Pavement or roadway encroachment',
    descriptionVi: 'Buôn bán, để xe, vật liệu lấn chiếm vỉa hè, lòng đường.',
    descriptionEn: 'Stalls, parked vehicles or materials occupying the pavement or roadway.',
    groupVi: 'Trật tự đô thị',
    groupEn: 'Urban order',
    keywords: 'vỉa hè, lấn chiếm, lòng đường',
    agencyVi: 'UBND phường, xã sở tại',
    slaHours: 72,
    attributes: [],
  },
  {
    serviceCode: 'TT-XAYDUNG',
    nameVi: 'Xây dựng trái phép',
    nameEn: 'Unauthorised construction',
    descriptionVi: 'Công trình xây dựng không phép, sai phép.',
    descriptionEn: 'Construction without or against a permit.',
    groupVi: 'Trật tự đô thị',
    groupEn: 'Urban order',
    keywords: 'xây dựng, không phép, sai phép',
    agencyVi: 'Sở Xây dựng',
    slaHours: 168,
    attributes: [],
  },
  {
    serviceCode: 'ATGT',
    nameVi: 'Mất an toàn giao thông',
    nameEn: 'Traffic safety hazard',
    descriptionVi: 'Đèn tín hiệu hỏng, biển báo mất, vật cản trên đường, điểm đen tai nạn.',
    descriptionEn: 'A broken traffic signal, a missing sign, an obstacle on the road, an accident black spot.',
    groupVi: 'An toàn giao thông',
    groupEn: 'Traffic safety',
    keywords: 'đèn tín hiệu, biển báo, vật cản, tai nạn',
    agencyVi: 'Phòng Cảnh sát giao thông, Công an tỉnh',
    slaHours: 24,
    attributes: [
      {
        code: 'LOAI',
        datatype: 'singlevaluelist',
        required: true,
        order: 1,
        descriptionVi: 'Loại nguy cơ',
        descriptionEn: 'Kind of hazard',
        values: [
          { key: 'den_tin_hieu', nameVi: 'Đèn tín hiệu hỏng', nameEn: 'Traffic signal broken' },
          { key: 'bien_bao', nameVi: 'Biển báo mất, hỏng', nameEn: 'Sign missing or damaged' },
          { key: 'vat_can', nameVi: 'Vật cản trên đường', nameEn: 'Obstacle on the road' },
          { key: 'diem_den', nameVi: 'Điểm đen tai nạn', nameEn: 'Accident black spot' },
        ],
      },
    ],
  },
  {
    serviceCode: 'CX-CAY',
    nameVi: 'Cây xanh gãy đổ, nguy hiểm',
    nameEn: 'Fallen or dangerous tree',
    descriptionVi: 'Cây đổ, cành gãy, cây nghiêng có nguy cơ đổ.',
    descriptionEn: 'A fallen tree, a broken branch, or a tree leaning dangerously.',
    groupVi: 'Cây xanh',
    groupEn: 'Trees',
    keywords: 'cây đổ, cành gãy, cây xanh',
    agencyVi: 'Đơn vị quản lý cây xanh đô thị',
    slaHours: 24,
    attributes: [],
  },
  {
    serviceCode: 'KHAC',
    nameVi: 'Phản ánh khác',
    nameEn: 'Other',
    descriptionVi: 'Các vấn đề khác về đô thị, dịch vụ công.',
    descriptionEn: 'Any other issue with the city or public services.',
    groupVi: 'Khác',
    groupEn: 'Other',
    keywords: 'khác',
    agencyVi: 'Trung tâm Giám sát, điều hành đô thị thông minh tỉnh',
    slaHours: 120,
    attributes: [],
  },
];

export const OPEN311_SERVICE_CODES = OPEN311_SERVICES.map((service) => service.serviceCode);

export function open311Service(serviceCode: string): Open311ServiceEntry | undefined {
  return OPEN311_SERVICES.find((service) => service.serviceCode === serviceCode);
}

export type Open311Lang = 'vi' | 'en';

/** `GET services.json`: one entry of the list, as the specification names its fields. */
export interface Open311Service {
  service_code: string;
  service_name: string;
  description: string;
  metadata: boolean;
  type: 'realtime' | 'batch' | 'blackbox';
  keywords: string;
  group: string;
}

export interface Open311Attribute {
  variable: boolean;
  code: string;
  datatype: (typeof OPEN311_DATATYPES)[number];
  required: boolean;
  datatype_description: string;
  order: number;
  description: string;
  values?: Array<{ key: string; name: string }>;
}

/** `GET services/{code}.json`. */
export interface Open311ServiceDefinition {
  service_code: string;
  attributes: Open311Attribute[];
}

export function toOpen311Service(entry: Open311ServiceEntry, lang: Open311Lang): Open311Service {
  return {
    service_code: entry.serviceCode,
    service_name: lang === 'en' ? entry.nameEn : entry.nameVi,
    description: lang === 'en' ? entry.descriptionEn : entry.descriptionVi,
    metadata: entry.attributes.length > 0,
    type: 'realtime',
    keywords: entry.keywords,
    group: lang === 'en' ? entry.groupEn : entry.groupVi,
  };
}

export function toOpen311ServiceDefinition(entry: Open311ServiceEntry, lang: Open311Lang): Open311ServiceDefinition {
  return {
    service_code: entry.serviceCode,
    attributes: entry.attributes.map((attribute) => ({
      variable: true,
      code: attribute.code,
      datatype: attribute.datatype,
      required: attribute.required,
      datatype_description: attribute.datatype === 'number' ? (lang === 'en' ? 'A number' : 'Một số') : '',
      order: attribute.order,
      description: lang === 'en' ? attribute.descriptionEn : attribute.descriptionVi,
      ...(attribute.values ? { values: attribute.values.map((value) => ({ key: value.key, name: lang === 'en' ? value.nameEn : value.nameVi })) } : {}),
    })),
  };
}

/** One public history entry, shaped like the `notes` of real GeoReport servers (e.g. Chicago's). */
export interface Open311Note {
  datetime: string;
  summary: string;
  description?: string;
  type: 'opened' | 'activity' | 'closed';
  media_url?: string;
}

/** `GET requests.json` and `GET requests/{id}.json`: one service request. Absent values are null, as servers send them. */
export interface Open311ServiceRequest {
  service_request_id: string;
  status: 'open' | 'closed';
  status_notes: string | null;
  service_name: string;
  service_code: string;
  description: string | null;
  agency_responsible: string | null;
  service_notice: string | null;
  requested_datetime: string;
  updated_datetime: string;
  expected_datetime: string | null;
  address: string | null;
  address_id: string | null;
  zipcode: string | null;
  lat: number | null;
  long: number | null;
  media_url: string | null;
  attributes?: Record<string, string | string[]>;
  notes?: Open311Note[];
}

/** The answer to `POST requests.json`. */
export interface Open311CreatedRequest {
  service_request_id: string;
  service_notice: string;
  account_id: string | null;
}

/** Errors are an array of these, with the HTTP status as `code`. */
export interface Open311Error {
  code: number;
  description: string;
}

const optionalText = (maxLength: number) => z.string().trim().max(maxLength).optional().transform((value) => (value === '' ? undefined : value));
const optionalNumber = (schema: z.ZodNumber) =>
  z
    .string()
    .trim()
    .optional()
    .transform((value, context) => {
      if (value === undefined || value === '') return undefined;
      const number = Number(value);
      if (!Number.isFinite(number)) {
        context.addIssue({ code: 'custom', message: `expected a number, received "${value}"` });
        return z.NEVER;
      }
      return number;
    })
    .pipe(schema.optional());

/**
 * The form fields of `POST requests` (form-urlencoded or multipart), after `attribute[CODE]` fields are
 * gathered into `attributes`. A location is required: lat and long, address_string or address_id.
 */
export const open311CreateRequestSchema = z
  .object({
    jurisdiction_id: optionalText(128),
    api_key: optionalText(256),
    service_code: z.string().trim().min(1).max(64),
    lat: optionalNumber(latitudeSchema),
    long: optionalNumber(longitudeSchema),
    address_string: optionalText(500),
    address_id: optionalText(128),
    zipcode: optionalText(16),
    email: optionalText(254),
    device_id: optionalText(128),
    account_id: optionalText(128),
    first_name: optionalText(100),
    last_name: optionalText(100),
    phone: optionalText(32),
    description: optionalText(4000),
    media_url: optionalText(2000).pipe(z.url({ protocol: /^https?$/ }).optional()),
    attributes: z.record(z.string().max(64), z.union([z.string().max(1000), z.array(z.string().max(1000)).max(50)])).default({}),
  })
  .strict()
  .superRefine((request, context) => {
    if ((request.lat === undefined) !== (request.long === undefined)) {
      context.addIssue({ code: 'custom', path: [request.lat === undefined ? 'lat' : 'long'], message: 'lat and long go together' });
    }
    if (request.lat === undefined && !request.address_string && !request.address_id) {
      context.addIssue({ code: 'custom', path: ['lat'], message: 'a location is required: lat and long, address_string or address_id' });
    }
  });
export type Open311CreateRequest = z.output<typeof open311CreateRequestSchema>;

/** Checks `attribute[CODE]` values against the service definition; returns the reasons, empty when fine. */
export function checkOpen311Attributes(entry: Open311ServiceEntry, attributes: Record<string, string | string[]>): Array<{ path: string; reason: string }> {
  const problems: Array<{ path: string; reason: string }> = [];
  for (const code of Object.keys(attributes)) {
    if (!entry.attributes.some((attribute) => attribute.code === code)) problems.push({ path: `attribute[${code}]`, reason: `service ${entry.serviceCode} has no attribute ${code}` });
  }
  for (const attribute of entry.attributes) {
    const value = attributes[attribute.code];
    const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
    if (values.length === 0 || values.every((item) => item === '')) {
      if (attribute.required) problems.push({ path: `attribute[${attribute.code}]`, reason: 'required' });
      continue;
    }
    if (attribute.datatype !== 'multivaluelist' && values.length > 1) problems.push({ path: `attribute[${attribute.code}]`, reason: 'takes one value' });
    for (const item of values) {
      if (attribute.datatype === 'number' && !Number.isFinite(Number(item))) problems.push({ path: `attribute[${attribute.code}]`, reason: `expected a number, received "${item}"` });
      if (attribute.datatype === 'datetime' && !isoDateTimeSchema.safeParse(item).success) problems.push({ path: `attribute[${attribute.code}]`, reason: 'expected an ISO-8601 date-time' });
      if ((attribute.datatype === 'singlevaluelist' || attribute.datatype === 'multivaluelist') && !attribute.values?.some((allowed) => allowed.key === item)) {
        problems.push({ path: `attribute[${attribute.code}]`, reason: `"${item}" is not one of ${(attribute.values ?? []).map((allowed) => allowed.key).join(', ')}` });
      }
    }
  }
  return problems;
}

/** W3C date-times as GeoReport clients send them (an offset is required; a bare date means its start in UTC). */
const open311DateSchema = z.union([isoDateTimeSchema.transform((text) => Date.parse(text)), z.iso.date().transform((text) => Date.parse(`${text}T00:00:00Z`))]);

export const OPEN311_DEFAULT_PAGE_SIZE = 100;
export const OPEN311_MAX_PAGE_SIZE = 1000;
/** Without start_date/end_date the list covers the last 90 days, as the specification suggests. */
export const OPEN311_DEFAULT_WINDOW_DAYS = 90;

export const open311RequestsQuerySchema = z
  .object({
    jurisdiction_id: optionalText(128),
    api_key: optionalText(256),
    lang: z.enum(['vi', 'en']).optional(),
    service_request_id: z
      .string()
      .max(4000)
      .optional()
      .transform((value) => (value ? value.split(',').map((id) => id.trim()).filter((id) => id !== '') : undefined))
      .pipe(z.array(z.string().max(64)).max(200).optional()),
    service_code: z
      .string()
      .max(1000)
      .optional()
      .transform((value) => (value ? value.split(',').map((code) => code.trim()).filter((code) => code !== '') : undefined)),
    status: z.enum(['open', 'closed']).optional(),
    start_date: open311DateSchema.optional(),
    end_date: open311DateSchema.optional(),
    page: z.coerce.number().int().min(1).max(100_000).default(1),
    page_size: z.coerce.number().int().min(1).max(OPEN311_MAX_PAGE_SIZE).default(OPEN311_DEFAULT_PAGE_SIZE),
  })
  .strict();
export type Open311RequestsQuery = z.output<typeof open311RequestsQuerySchema>;

/* ---------- Operator triage (internal JSON API, /api/v1/field-reports) ---------- */

const operatorName = z.string().trim().min(1).max(100);
const note = z.string().trim().min(1).max(4000);

export const fieldReportListQuerySchema = z
  .object({
    status: z.enum(FIELD_REPORT_STATUSES).optional(),
    serviceCode: z.string().max(64).optional(),
    agency: z.string().max(200).optional(),
    /** Open reports past their expected time. */
    overdue: z.enum(['true', 'false']).transform((value) => value === 'true').optional(),
    from: isoDateTimeSchema.optional(),
    to: isoDateTimeSchema.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  })
  .strict();
export type FieldReportListQuery = z.output<typeof fieldReportListQuerySchema>;

export const fieldReportCategoriseSchema = z.object({ operator: operatorName, serviceCode: z.string().min(1).max(64), note: note.optional() }).strict();
export const fieldReportAssignSchema = z
  .object({
    operator: operatorName,
    agency: z.string().trim().min(1).max(200),
    /** When the fix is due; the service's SLA from now when absent. */
    dueAt: isoDateTimeSchema.optional(),
    note: note.optional(),
  })
  .strict();
export const fieldReportNoteSchema = z
  .object({
    operator: operatorName,
    note,
    /** Public notes become the `status_notes` the citizen sees; internal ones stay in the history. */
    public: z.boolean().default(true),
  })
  .strict();
export const fieldReportResolveSchema = z.object({ operator: operatorName, note }).strict();
export const fieldReportReopenSchema = z.object({ operator: operatorName, note }).strict();

export const FIELD_REPORT_ACTIONS = ['opened', 'categorised', 'assigned', 'noted', 'resolved', 'reopened'] as const;
export type FieldReportAction = (typeof FIELD_REPORT_ACTIONS)[number];

/** A report as the operator console reads it (camelCase; the citizen's contact details included). */
export interface FieldReport {
  id: string;
  serviceCode: string;
  status: FieldReportStatus;
  description: string | null;
  agencyResponsible: string | null;
  statusNotes: string | null;
  serviceNotice: string | null;
  latitude: number | null;
  longitude: number | null;
  address: string | null;
  addressId: string | null;
  zipcode: string | null;
  attributes: Record<string, string | string[]>;
  mediaSha256: string | null;
  externalMediaUrl: string | null;
  contact: { email?: string; phone?: string; firstName?: string; lastName?: string; deviceId?: string; accountId?: string };
  /** The app whose API key sent it, or null for an anonymous submission. */
  apiKeyName: string | null;
  requestedAt: string;
  updatedAt: string;
  expectedAt: string | null;
  closedAt: string | null;
}

export interface FieldReportHistoryEntry {
  id: number;
  reportId: string;
  at: string;
  action: FieldReportAction;
  actor: string;
  fromStatus: FieldReportStatus | null;
  toStatus: FieldReportStatus;
  note: string | null;
  public: boolean;
  details: Record<string, unknown>;
}
