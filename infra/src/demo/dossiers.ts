import type { Logger } from 'pino';
import {
  DAY_MS,
  addWorkingDaysMs,
  isVietnamWorkingDay,
  vietnamDayStartMs,
  vietnamWeekday,
  type AdministrativeLevel,
  type DossierChannel,
  type DossierEvent,
  type OnlineServiceLevel,
} from '@ioc/schemas';
import { DISTRICT_OUTLINES } from './boundaries';
import { hashString } from './demo-values';

/**
 * Simulated one-stop-shop dossiers for the demo province (Điện Biên): the provincial departments, the district
 * People's Committees of the demo site and a few communes, with real procedure names and legal time limits
 * (in working days). Volumes and punctuality are set to look like the published provincial figures: about
 * 200 dossiers a day province-wide (≈ 150,000 in two years), few on weekends, 85–90 % on time overall
 * (land and construction lower, communes near 100 %), 40–60 % submitted online. Deterministic: a day's
 * dossiers depend only on the seed and the day, so a restart continues the same story.
 */
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const VIETNAM_OFFSET_MS = 7 * HOUR_MS;

export interface DemoProcedure {
  code: string;
  name: string;
  /** Legal time limit in working days; 0 = the same working day (trả ngay). */
  workingDays: number;
  onlineServiceLevel: OnlineServiceLevel;
  /** Relative volume within the agency. */
  weight: number;
  /** Multiplies the agency's late share (land procedures run late more often). */
  lateFactor?: number;
}

export interface DemoAgency {
  code: string;
  name: string;
  level: AdministrativeLevel;
  districtCode?: string;
  /** Share of its dossiers resolved after the due time. */
  lateShare: number;
  /** Relative volume in the province. */
  weight: number;
  procedures: readonly DemoProcedure[];
}

const LAND_FIRST_CERTIFICATE: DemoProcedure = {
  code: '1.004227',
  name: 'Đăng ký, cấp Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản khác gắn liền với đất lần đầu',
  workingDays: 30,
  onlineServiceLevel: 'partial',
  weight: 3,
  lateFactor: 3,
};

const DISTRICT_PROCEDURES: readonly DemoProcedure[] = [
  LAND_FIRST_CERTIFICATE,
  { code: '2.000720', name: 'Đăng ký thành lập hộ kinh doanh', workingDays: 3, onlineServiceLevel: 'full', weight: 3 },
  { code: '1.009994', name: 'Cấp giấy phép xây dựng nhà ở riêng lẻ', workingDays: 15, onlineServiceLevel: 'partial', weight: 2, lateFactor: 1.5 },
  { code: '2.000815', name: 'Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền cấp', workingDays: 0, onlineServiceLevel: 'partial', weight: 5, lateFactor: 0.2 },
  { code: '1.001695', name: 'Đăng ký kết hôn có yếu tố nước ngoài', workingDays: 10, onlineServiceLevel: 'partial', weight: 0.3 },
  { code: '1.003554', name: 'Cấp Giấy chứng nhận đủ điều kiện an toàn thực phẩm đối với cơ sở kinh doanh dịch vụ ăn uống', workingDays: 15, onlineServiceLevel: 'full', weight: 0.7 },
];

const COMMUNE_PROCEDURES: readonly DemoProcedure[] = [
  { code: '1.001193', name: 'Đăng ký khai sinh', workingDays: 0, onlineServiceLevel: 'full', weight: 5 },
  { code: '1.000894', name: 'Đăng ký kết hôn', workingDays: 0, onlineServiceLevel: 'partial', weight: 1.5 },
  { code: '1.004873', name: 'Cấp bản sao Trích lục hộ tịch', workingDays: 0, onlineServiceLevel: 'full', weight: 2 },
  { code: '1.004884', name: 'Xác nhận tình trạng hôn nhân', workingDays: 3, onlineServiceLevel: 'full', weight: 2 },
  { code: '1.000656', name: 'Đăng ký khai tử', workingDays: 0, onlineServiceLevel: 'full', weight: 1 },
  { code: '2.000815', name: 'Chứng thực bản sao từ bản chính giấy tờ, văn bản do cơ quan có thẩm quyền cấp', workingDays: 0, onlineServiceLevel: 'partial', weight: 5 },
];

const PROVINCE_AGENCIES: readonly DemoAgency[] = [
  {
    code: 'DBN.SGDDT', name: 'Sở Giáo dục và Đào tạo', level: 'province', lateShare: 0.05, weight: 3,
    procedures: [
      { code: '2.001914', name: 'Cấp bản sao văn bằng, chứng chỉ từ sổ gốc', workingDays: 3, onlineServiceLevel: 'full', weight: 6 },
      { code: '1.005092', name: 'Chỉnh sửa nội dung văn bằng, chứng chỉ', workingDays: 5, onlineServiceLevel: 'partial', weight: 2 },
      { code: '1.005070', name: 'Cho phép trung tâm ngoại ngữ, tin học hoạt động giáo dục', workingDays: 20, onlineServiceLevel: 'partial', weight: 0.5 },
    ],
  },
  {
    code: 'DBN.STNMT', name: 'Sở Tài nguyên và Môi trường', level: 'province', lateShare: 0.46, weight: 8,
    procedures: [
      { code: '1.003003', name: 'Đăng ký biến động quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất', workingDays: 10, onlineServiceLevel: 'partial', weight: 8 },
      { code: '1.004223', name: 'Cấp giấy phép khai thác, sử dụng nước mặt', workingDays: 30, onlineServiceLevel: 'partial', weight: 0.5 },
      { code: '1.010727', name: 'Thẩm định báo cáo đánh giá tác động môi trường', workingDays: 30, onlineServiceLevel: 'none', weight: 0.5 },
    ],
  },
  {
    code: 'DBN.SVHTTDL', name: 'Sở Văn hóa, Thể thao và Du lịch', level: 'province', lateShare: 0.05, weight: 1.5,
    procedures: [
      { code: '1.009397', name: 'Cấp giấy phép tổ chức biểu diễn nghệ thuật', workingDays: 5, onlineServiceLevel: 'full', weight: 3 },
      { code: '1.003738', name: 'Công nhận điểm du lịch', workingDays: 30, onlineServiceLevel: 'partial', weight: 0.3 },
      { code: '1.001029', name: 'Cấp giấy phép kinh doanh dịch vụ lữ hành nội địa', workingDays: 10, onlineServiceLevel: 'full', weight: 1 },
    ],
  },
  {
    code: 'DBN.SKHCN', name: 'Sở Khoa học và Công nghệ', level: 'province', lateShare: 0.07, weight: 0.8,
    procedures: [
      { code: '1.008372', name: 'Đăng ký hoạt động khoa học và công nghệ', workingDays: 15, onlineServiceLevel: 'full', weight: 2 },
      { code: '1.004485', name: 'Cấp giấy phép tiến hành công việc bức xạ (sử dụng thiết bị X-quang chẩn đoán trong y tế)', workingDays: 10, onlineServiceLevel: 'partial', weight: 1 },
    ],
  },
  {
    code: 'DBN.SXD', name: 'Sở Xây dựng', level: 'province', lateShare: 0.3, weight: 3,
    procedures: [
      { code: '1.009972', name: 'Cấp giấy phép xây dựng mới đối với công trình cấp đặc biệt, cấp I, cấp II', workingDays: 20, onlineServiceLevel: 'partial', weight: 2 },
      { code: '1.009930', name: 'Cấp chứng chỉ hành nghề hoạt động xây dựng hạng II, hạng III', workingDays: 20, onlineServiceLevel: 'full', weight: 3 },
      { code: '1.009794', name: 'Thẩm định báo cáo nghiên cứu khả thi đầu tư xây dựng', workingDays: 25, onlineServiceLevel: 'none', weight: 1 },
    ],
  },
  {
    code: 'DBN.SNNPTNT', name: 'Sở Nông nghiệp và Phát triển nông thôn', level: 'province', lateShare: 0.12, weight: 2.5,
    procedures: [
      { code: '1.003254', name: 'Cấp giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm nông, lâm, thủy sản', workingDays: 15, onlineServiceLevel: 'partial', weight: 2 },
      { code: '1.003781', name: 'Cấp giấy chứng nhận kiểm dịch động vật, sản phẩm động vật vận chuyển ra khỏi địa bàn cấp tỉnh', workingDays: 1, onlineServiceLevel: 'partial', weight: 4 },
    ],
  },
  {
    code: 'DBN.SLDTBXH', name: 'Sở Lao động – Thương binh và Xã hội', level: 'province', lateShare: 0.11, weight: 4,
    procedures: [
      { code: '1.001978', name: 'Giải quyết hưởng trợ cấp thất nghiệp', workingDays: 20, onlineServiceLevel: 'partial', weight: 5 },
      { code: '2.000205', name: 'Cấp giấy phép lao động cho người lao động nước ngoài làm việc tại Việt Nam', workingDays: 5, onlineServiceLevel: 'full', weight: 0.5 },
      { code: '1.010815', name: 'Giải quyết chế độ trợ cấp một lần đối với thân nhân người có công với cách mạng', workingDays: 12, onlineServiceLevel: 'partial', weight: 1.5 },
    ],
  },
  {
    code: 'DBN.STP', name: 'Sở Tư pháp', level: 'province', lateShare: 0.08, weight: 7,
    procedures: [
      { code: '2.000488', name: 'Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam, người nước ngoài đang cư trú tại Việt Nam', workingDays: 10, onlineServiceLevel: 'full', weight: 9 },
      { code: '1.001071', name: 'Cấp lại Thẻ công chứng viên', workingDays: 5, onlineServiceLevel: 'partial', weight: 0.2 },
    ],
  },
  {
    code: 'DBN.SYT', name: 'Sở Y tế', level: 'province', lateShare: 0.18, weight: 2.5,
    procedures: [
      { code: '1.012279', name: 'Cấp giấy phép hành nghề khám bệnh, chữa bệnh', workingDays: 30, onlineServiceLevel: 'partial', weight: 2 },
      { code: '1.004614', name: 'Cấp Chứng chỉ hành nghề dược', workingDays: 20, onlineServiceLevel: 'partial', weight: 1.5 },
      { code: '1.004446', name: 'Cấp giấy chứng nhận đủ điều kiện kinh doanh dược', workingDays: 30, onlineServiceLevel: 'partial', weight: 1 },
    ],
  },
  {
    code: 'DBN.SKHDT', name: 'Sở Kế hoạch và Đầu tư', level: 'province', lateShare: 0.03, weight: 4,
    procedures: [
      { code: '2.001610', name: 'Đăng ký thành lập công ty trách nhiệm hữu hạn một thành viên', workingDays: 3, onlineServiceLevel: 'full', weight: 2 },
      { code: '2.002036', name: 'Đăng ký thay đổi nội dung đăng ký doanh nghiệp', workingDays: 3, onlineServiceLevel: 'full', weight: 3 },
    ],
  },
  {
    code: 'DBN.SGTVT', name: 'Sở Giao thông vận tải', level: 'province', lateShare: 0.05, weight: 5,
    procedures: [
      { code: '1.002804', name: 'Đổi giấy phép lái xe do ngành Giao thông vận tải cấp', workingDays: 5, onlineServiceLevel: 'full', weight: 6 },
      { code: '1.002856', name: 'Cấp Giấy phép kinh doanh vận tải bằng xe ô tô', workingDays: 5, onlineServiceLevel: 'full', weight: 1 },
    ],
  },
];

/** District People's Committees: late share and volume (the city and Điện Biên district are the busiest). */
const DISTRICT_PROFILE: Record<string, { lateShare: number; weight: number }> = {
  '094': { lateShare: 0.08, weight: 7 },
  '095': { lateShare: 0.05, weight: 1.2 },
  '097': { lateShare: 0.16, weight: 2 },
  '098': { lateShare: 0.13, weight: 2 },
  '099': { lateShare: 0.1, weight: 3.5 },
  '100': { lateShare: 0.11, weight: 5 },
  '101': { lateShare: 0.2, weight: 2 },
  '102': { lateShare: 0.06, weight: 2.5 },
};

/** A few communes with their districts. */
const DEMO_COMMUNES: ReadonlyArray<{ slug: string; name: string; districtCode: string; weight: number }> = [
  { slug: 'MTHANH', name: 'UBND phường Mường Thanh', districtCode: '094', weight: 4 },
  { slug: 'HLAM', name: 'UBND phường Him Lam', districtCode: '094', weight: 3 },
  { slug: 'TTHANH', name: 'UBND phường Tân Thanh', districtCode: '094', weight: 3 },
  { slug: 'NBUA', name: 'UBND phường Noong Bua', districtCode: '094', weight: 2 },
  { slug: 'TXUONG', name: 'UBND xã Thanh Xương', districtCode: '100', weight: 2.5 },
  { slug: 'TTTGIAO', name: 'UBND thị trấn Tuần Giáo', districtCode: '099', weight: 2.5 },
  { slug: 'TTMANG', name: 'UBND thị trấn Mường Ảng', districtCode: '102', weight: 2 },
  { slug: 'NALAY', name: 'UBND phường Na Lay', districtCode: '095', weight: 1.5 },
];

/** The agencies of the demo province: departments, the district People's Committees of the demo site, communes. */
export function demoDossierAgencies(): DemoAgency[] {
  const districts: DemoAgency[] = DISTRICT_OUTLINES.map((district) => {
    const profile = DISTRICT_PROFILE[district.code] ?? { lateShare: 0.06, weight: 2 };
    return {
      code: `DBN.UBND.${district.code}`,
      name: `UBND ${district.name.charAt(0).toLowerCase()}${district.name.slice(1)}`,
      level: 'district',
      districtCode: district.code,
      lateShare: profile.lateShare,
      weight: profile.weight,
      procedures: DISTRICT_PROCEDURES,
    };
  });
  const communes: DemoAgency[] = DEMO_COMMUNES.map((commune) => ({
    code: `DBN.UBND.${commune.districtCode}.${commune.slug}`,
    name: commune.name,
    level: 'commune',
    districtCode: commune.districtCode,
    lateShare: 0.03,
    weight: commune.weight,
    procedures: COMMUNE_PROCEDURES,
  }));
  return [...PROVINCE_AGENCIES, ...districts, ...communes];
}

/** Dossiers received on an average day, by Vietnam weekday (Sunday first): one-stop shops open Saturday mornings. */
const DOSSIERS_PER_WEEKDAY = [12, 282, 286, 286, 282, 268, 50] as const;
/** Share submitted online by the procedure's online service level (the rest in person, a few by post). */
const ONLINE_SHARE: Record<OnlineServiceLevel, number> = { full: 0.66, partial: 0.38, none: 0 };
const POSTAL_SHARE = 0.04;
const WITHDRAWN_SHARE = 0.01;
const RETURNED_SHARE = 0.025;
const SUPPLEMENT_SHARE = 0.07;
/** Of those resolved by the due time, the share resolved on an earlier day (trước hạn). */
const EARLY_SHARE = 0.65;

/** A small seeded generator (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pickWeighted<T extends { weight: number }>(items: readonly T[], random: () => number): T {
  const total = items.reduce((sum, item) => sum + item.weight, 0);
  let target = random() * total;
  for (const item of items) {
    target -= item.weight;
    if (target < 0) return item;
  }
  return items[items.length - 1] as T;
}

/** The instant at a Vietnam clock time (hours, fractional) on the day containing `dayMs`. */
function atVietnamHour(dayMs: number, hours: number): number {
  return vietnamDayStartMs(dayMs) + Math.round(hours * 60) * MINUTE_MS;
}

/** Office hours 7:30–11:30 and 13:30–17:00. */
function officeHour(random: () => number): number {
  const morning = random() < 0.55;
  return morning ? 7.5 + random() * 4 : 13.5 + random() * 3.5;
}

/** The end of the working day the result is promised for: 17:00 on the due working day. */
export function dueTimeMs(receivedAtMs: number, workingDays: number): number {
  let startMs = receivedAtMs;
  // Received outside a working day, or after 15:00 for a same-day procedure: the clock starts the next working day.
  const lateInDay = workingDays === 0 && receivedAtMs >= atVietnamHour(receivedAtMs, 15);
  if (!isVietnamWorkingDay(startMs) || lateInDay) {
    startMs = atVietnamHour(startMs, 8);
    do startMs += DAY_MS;
    while (!isVietnamWorkingDay(startMs));
    return atVietnamHour(addWorkingDaysMs(startMs, workingDays), 17);
  }
  return atVietnamHour(addWorkingDaysMs(startMs, workingDays), 17);
}

/** A working-day office time on the day of `timeMs`, moved to the previous (or next) working day on weekends. */
function onWorkingDay(timeMs: number, direction: -1 | 1, random: () => number): number {
  let dayMs = timeMs;
  while (!isVietnamWorkingDay(dayMs)) dayMs += direction * DAY_MS;
  if (dayMs === timeMs) return timeMs;
  return atVietnamHour(dayMs, officeHour(random));
}

export interface DemoDossierPlan {
  dossierId: string;
  agency: DemoAgency;
  procedure: DemoProcedure;
  channel: DossierChannel;
  events: DossierEvent[];
}

/** The dossiers received on one Vietnam day, with every event of their lives (some in that day's future). */
export function demoDossiersOfDay(dayMs: number, seed: number, agencies: readonly DemoAgency[] = demoDossierAgencies()): DemoDossierPlan[] {
  const dayStartMs = vietnamDayStartMs(dayMs);
  const dayIndex = Math.round((dayStartMs + VIETNAM_OFFSET_MS) / DAY_MS);
  const random = seededRandom(hashString(`dossiers:${seed}:${dayIndex}`));
  const weekday = vietnamWeekday(dayStartMs);
  const count = Math.round((DOSSIERS_PER_WEEKDAY[weekday] ?? 0) * (0.82 + random() * 0.36));
  const dateText = new Date(dayStartMs + VIETNAM_OFFSET_MS).toISOString().slice(2, 10).replaceAll('-', '');
  const plans: DemoDossierPlan[] = [];
  for (let index = 0; index < count; index += 1) {
    const agency = pickWeighted(agencies, random);
    const procedure = pickWeighted(agency.procedures, random);
    let channel: DossierChannel = random() < ONLINE_SHARE[procedure.onlineServiceLevel] ? 'online' : random() < POSTAL_SHARE ? 'postal' : 'inPerson';
    // Weekends: Sunday is online only; on Saturday the one-stop shops receive in the morning.
    if (weekday === 0 && channel !== 'online') channel = 'online';
    let hour = channel === 'online' ? 6 + random() * 17 : officeHour(random);
    if (weekday === 6 && channel !== 'online') hour = 7.5 + random() * 4;
    const receivedAtMs = atVietnamHour(dayStartMs, hour) + Math.floor(random() * MINUTE_MS / 1000) * 1000;
    const dossierId = `DBN-${dateText}-${String(index + 1).padStart(5, '0')}`;
    plans.push({ dossierId, agency, procedure, channel, events: lifecycle(dossierId, agency, procedure, channel, receivedAtMs, random) });
  }
  return plans;
}

function lifecycle(dossierId: string, agency: DemoAgency, procedure: DemoProcedure, channel: DossierChannel, receivedAtMs: number, random: () => number): DossierEvent[] {
  const base = {
    dossierId,
    procedureCode: procedure.code,
    procedureName: procedure.name,
    agencyCode: agency.code,
    agencyName: agency.name,
    administrativeLevel: agency.level,
    ...(agency.districtCode ? { districtCode: agency.districtCode } : {}),
    onlineServiceLevel: procedure.onlineServiceLevel,
    channel,
  };
  const iso = (timeMs: number) => new Date(timeMs).toISOString();
  let dueAtMs = dueTimeMs(receivedAtMs, procedure.workingDays);
  const events: DossierEvent[] = [{ ...base, event: 'received', occurredAt: iso(receivedAtMs), dueAt: iso(dueAtMs) }];
  const assignedAtMs = onWorkingDay(receivedAtMs + (10 + random() * 230) * MINUTE_MS, 1, random);
  events.push({ ...base, event: 'assigned', occurredAt: iso(Math.min(assignedAtMs, dueAtMs - MINUTE_MS)) });
  let clockStartMs = Math.max(receivedAtMs, Math.min(assignedAtMs, dueAtMs - MINUTE_MS));

  // Supplementary documents: the clock stops, and restarts in full when they arrive (Decree 61, art. 19).
  if (procedure.workingDays >= 3 && random() < SUPPLEMENT_SHARE) {
    const requestedAtMs = onWorkingDay(clockStartMs + (dueAtMs - clockStartMs) * (0.1 + random() * 0.3), -1, random);
    const suppliedAtMs = onWorkingDay(requestedAtMs + (1 + random() * 4) * DAY_MS, 1, random);
    dueAtMs = dueTimeMs(suppliedAtMs, procedure.workingDays);
    events.push({ ...base, event: 'additionalDocumentsRequested', occurredAt: iso(requestedAtMs) });
    events.push({ ...base, event: 'assigned', occurredAt: iso(suppliedAtMs), dueAt: iso(dueAtMs) });
    clockStartMs = suppliedAtMs;
  }

  const outcomeDraw = random();
  if (outcomeDraw < WITHDRAWN_SHARE) {
    const withdrawnAtMs = clockStartMs + (dueAtMs - clockStartMs) * random() * 0.8;
    events.push({ ...base, event: 'withdrawn', occurredAt: iso(Math.max(withdrawnAtMs, clockStartMs + MINUTE_MS)) });
    return events;
  }
  const lateShare = Math.min(0.9, agency.lateShare * (procedure.lateFactor ?? 1));
  let finishedAtMs: number;
  if (random() < lateShare) {
    // Late: most by a few days, some by weeks.
    const lateDays = 0.05 + -Math.log(1 - random()) * (procedure.workingDays >= 10 ? 6 : 2);
    finishedAtMs = onWorkingDay(dueAtMs + lateDays * DAY_MS, 1, random);
    if (finishedAtMs <= dueAtMs) finishedAtMs = dueAtMs + (30 + random() * 120) * MINUTE_MS;
  } else {
    const dueDayStartMs = vietnamDayStartMs(dueAtMs);
    if (dueDayStartMs > clockStartMs + HOUR_MS && random() < EARLY_SHARE) {
      finishedAtMs = onWorkingDay(clockStartMs + HOUR_MS + (dueDayStartMs - clockStartMs - HOUR_MS) * random(), -1, random);
      if (finishedAtMs <= clockStartMs || finishedAtMs >= dueDayStartMs) finishedAtMs = clockStartMs + HOUR_MS;
    } else {
      const fromMs = Math.max(clockStartMs + 10 * MINUTE_MS, atVietnamHour(dueAtMs, 7.5));
      finishedAtMs = Math.min(dueAtMs, fromMs + (dueAtMs - fromMs) * random());
    }
  }
  const returned = random() < RETURNED_SHARE;
  events.push({ ...base, event: returned ? 'returned' : 'resolved', occurredAt: iso(Math.round(finishedAtMs / 1000) * 1000) });
  return events;
}

/** Longest a demo dossier stays open: the longest limit, a supplement and a late tail. */
const LIFETIME_DAYS = 120;

/**
 * Every event that occurs in [fromMs, toMs) of dossiers received on or after `receivedFromMs`, oldest first.
 * Backfill and live emission both read this, so together they give each event exactly once.
 */
export function demoDossierEventsBetween(options: { fromMs: number; toMs: number; seed: number; receivedFromMs?: number; plansOfDay?: (dayMs: number) => DemoDossierPlan[] }): DossierEvent[] {
  const { fromMs, toMs, seed } = options;
  const plansOfDay = options.plansOfDay ?? ((dayMs: number) => demoDossiersOfDay(dayMs, seed));
  const firstDayMs = vietnamDayStartMs(Math.max(options.receivedFromMs ?? -Infinity, fromMs - LIFETIME_DAYS * DAY_MS));
  const events: DossierEvent[] = [];
  for (let dayMs = firstDayMs; dayMs < toMs; dayMs += DAY_MS) {
    for (const plan of plansOfDay(dayMs)) {
      for (const event of plan.events) {
        const timeMs = Date.parse(event.occurredAt);
        if (timeMs >= fromMs && timeMs < toMs) events.push(event);
      }
    }
  }
  return events.sort((left, right) => Date.parse(left.occurredAt) - Date.parse(right.occurredAt));
}

/** What the demo writes through (the store's `DossierRepository`). */
export interface DemoDossierSink {
  writeEvents(events: DossierEvent[]): Promise<{ stored: number }>;
  count(): Promise<{ dossiers: number }>;
}

export interface DemoDossiersOptions {
  sink: DemoDossierSink;
  logger: Logger;
  /** Same seed, same dossiers (default 1: a restart continues the story). */
  seed?: number;
  /** History generated when the dossier tables are empty. Default 90 days. */
  backfillDays?: number;
  /** How often new events are written. Default 15 s. */
  tickMs?: number;
  now?: () => number;
}

export interface DemoDossiers {
  /** Resolves when the backfill (if any) is written. */
  readonly ready: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Backfills `backfillDays` of dossiers when the tables are empty, then writes each event when its time comes
 * (every `tickMs`). Writes are idempotent, so an overlap after a restart stores nothing twice.
 */
export function startDemoDossiers(options: DemoDossiersOptions): DemoDossiers {
  const log = options.logger.child({ module: 'demo-dossiers' });
  const seed = options.seed ?? 1;
  const now = options.now ?? Date.now;
  const backfillDays = options.backfillDays ?? 90;
  const cache = new Map<number, DemoDossierPlan[]>();
  const agencies = demoDossierAgencies();
  const plansOfDay = (dayMs: number): DemoDossierPlan[] => {
    const key = vietnamDayStartMs(dayMs);
    let plans = cache.get(key);
    if (!plans) {
      plans = demoDossiersOfDay(key, seed, agencies);
      cache.set(key, plans);
      // Keep the days a live tick can still need.
      for (const cached of cache.keys()) if (cached < key - (LIFETIME_DAYS + 2) * DAY_MS) cache.delete(cached);
    }
    return plans;
  };
  let lastMs = now();
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const write = async (events: DossierEvent[]): Promise<number> => {
    let stored = 0;
    for (let start = 0; start < events.length && !stopped; start += 5000) stored += (await options.sink.writeEvents(events.slice(start, start + 5000))).stored;
    return stored;
  };

  const ready = (async () => {
    const { dossiers } = await options.sink.count();
    if (dossiers === 0 && backfillDays > 0) {
      const startedMs = Date.now();
      const receivedFromMs = vietnamDayStartMs(lastMs) - (backfillDays - 1) * DAY_MS;
      const events = demoDossierEventsBetween({ fromMs: receivedFromMs, toMs: lastMs, seed, receivedFromMs, plansOfDay });
      const stored = await write(events);
      log.info({ days: backfillDays, events: events.length, stored, durationMs: Date.now() - startedMs }, 'demo dossier history generated');
    }
  })().catch((err: unknown) => log.warn({ err }, 'demo dossier backfill failed'));

  void ready.then(() => {
    if (stopped) return;
    timer = setInterval(() => {
      inFlight = inFlight.then(async () => {
        const toMs = now();
        const events = demoDossierEventsBetween({ fromMs: lastMs, toMs, seed, plansOfDay });
        try {
          await write(events);
          lastMs = toMs;
        } catch (err) {
          log.warn({ err, events: events.length }, 'demo dossier events not written; retrying next tick');
        }
      });
    }, options.tickMs ?? 15_000);
    timer.unref();
  });

  return {
    ready,
    stop: async () => {
      stopped = true;
      if (timer) clearInterval(timer);
      await ready;
      await inFlight;
    },
  };
}
