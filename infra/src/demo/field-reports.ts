import type { Logger } from 'pino';
import { OPEN311_SERVICES, type BusMessage, type FieldReport } from '@ioc/schemas';
import type { FieldReportRepository } from '@ioc/store';
import { decideTriage, fieldReportAlert } from '@ioc/api';

/**
 * Simulated citizens' field reports for the demo province (Điện Biên Phủ's wards): a week of history when
 * the table is empty (most resolved, some assigned, some still new, a few past their SLA), then a new report
 * every few minutes and, now and then, an open one moving on (assigned, resolved). Invented text at real
 * street names; positions scattered around the city centre.
 */
const HOUR_MS = 3_600_000;
const STREETS = ['Đường Võ Nguyên Giáp', 'Đường 7/5', 'Đường Hoàng Văn Thái', 'Đường Trần Đăng Ninh', 'Đường Nguyễn Hữu Thọ', 'Đường Trường Chinh', 'Đường Sùng Phái Sinh', 'Đường Phan Đình Giót'];
const WARDS = ['phường Mường Thanh', 'phường Him Lam', 'phường Tân Thanh', 'phường Thanh Bình', 'phường Nam Thanh', 'phường Noong Bua', 'phường Thanh Trường'];
const DESCRIPTIONS: Record<string, string[]> = {
  'GT-OGA': ['Ổ gà lớn giữa làn xe máy, trời mưa rất nguy hiểm', 'Nhiều ổ gà trước cổng trường'],
  'GT-MATDUONG': ['Mặt đường lún sâu sau mưa', 'Nắp cống vỡ trên vỉa hè'],
  'CS-DEN': ['Cả dãy đèn đường không sáng từ tối qua', 'Đèn đường sáng cả ban ngày'],
  'MT-RAC': ['Rác tồn đọng 3 ngày chưa thu gom', 'Có người đổ trộm phế thải xây dựng'],
  'MT-ONHIEM': ['Đốt rác gây khói cả khu dân cư', 'Xưởng gỗ gây ồn sau 22 giờ'],
  'TN-NGAP': ['Ngập sâu khoảng 30 cm sau mưa lớn', 'Cống thoát nước bị tắc, nước tràn lên đường'],
  'TN-CAPNUOC': ['Vỡ ống nước, nước chảy tràn mặt đường'],
  'TT-VIAHE': ['Hàng quán lấn chiếm hết vỉa hè', 'Xe ô tô đỗ kín lòng đường'],
  'TT-XAYDUNG': ['Công trình xây thêm tầng không có biển báo giấy phép'],
  ATGT: ['Đèn tín hiệu ngã tư không hoạt động', 'Biển báo bị đổ'],
  'CX-CAY': ['Cây đổ chắn một nửa lòng đường', 'Cành cây lớn có nguy cơ gãy'],
  KHAC: ['Chó thả rông trong công viên'],
};

export interface DemoFieldReportsOptions {
  reports: Pick<FieldReportRepository, 'create' | 'change' | 'list'>;
  bus?: { publish(message: BusMessage): void };
  logger: Logger;
  seed?: number;
  /** Mean minutes between new live reports (default 4). */
  meanIntervalMinutes?: number;
}

export interface DemoFieldReports {
  ready: Promise<void>;
  stop(): Promise<void>;
}

/** A small seeded generator (mulberry32): the demo tells the same story for the same seed. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

export function startDemoFieldReports(options: DemoFieldReportsOptions): DemoFieldReports {
  const log = options.logger.child({ module: 'demo-field-reports' });
  const random = mulberry32(options.seed ?? 7);
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<unknown> = Promise.resolve();

  const create = async (requestedAtMs: number): Promise<FieldReport> => {
    const service = pick(random, OPEN311_SERVICES);
    const attributes: Record<string, string> = {};
    for (const attribute of service.attributes) if (attribute.values && (attribute.required || random() < 0.5)) attributes[attribute.code] = pick(random, attribute.values).key;
    return options.reports.create({
      serviceCode: service.serviceCode,
      description: pick(random, DESCRIPTIONS[service.serviceCode] ?? ['Phản ánh của người dân']),
      latitude: Math.round((21.39 + (random() - 0.5) * 0.05) * 1e6) / 1e6,
      longitude: Math.round((103.02 + (random() - 0.5) * 0.05) * 1e6) / 1e6,
      address: `${pick(random, STREETS)}, ${pick(random, WARDS)}, TP Điện Biên Phủ`,
      attributes,
      contact: {},
      agencyResponsible: service.agencyVi,
      serviceNotice: `${service.agencyVi} sẽ xem xét, xử lý trong ${service.slaHours} giờ.`,
      expectedAtMs: requestedAtMs + service.slaHours * HOUR_MS,
      actor: random() < 0.7 ? 'app:Điện Biên Smart (mô phỏng)' : 'citizen',
      requestedAtMs,
    });
  };
  const assign = (report: FieldReport, atMs: number) =>
    options.reports.change(report.id, (current) => decideTriage(current, { kind: 'assign', operator: 'trucban.demo', agency: current.agencyResponsible ?? 'UBND phường' }, atMs), atMs);
  const resolve = (report: FieldReport, atMs: number) =>
    options.reports.change(report.id, (current) => decideTriage(current, { kind: 'resolve', operator: 'trucban.demo', note: 'Đơn vị đã xử lý xong, đề nghị người dân kiểm tra.' }, atMs), atMs);
  const announce = (report: FieldReport) => options.bus?.publish({ kind: 'alert', alert: fieldReportAlert(report) });

  const ready = (async () => {
    const nowMs = Date.now();
    const recent = await options.reports.list({ fromMs: nowMs - 7 * 24 * HOUR_MS, limit: 1, offset: 0 });
    if (recent.total > 0) return;
    let made = 0;
    for (let index = 0; index < 60 && !stopped; index += 1) {
      const requestedAtMs = nowMs - Math.floor(random() * 7 * 24 * HOUR_MS);
      const report = await create(requestedAtMs);
      const ageHours = (nowMs - requestedAtMs) / HOUR_MS;
      if (ageHours > 2 && random() < 0.85) {
        const assigned = await assign(report, requestedAtMs + HOUR_MS * (0.5 + random()));
        // Most are fixed within their SLA; some run late, some are still open (a few past due).
        const fixHours = (Date.parse(assigned.report.expectedAt ?? '') - requestedAtMs) / HOUR_MS * (0.3 + random());
        if (fixHours < ageHours && random() < 0.8) await resolve(assigned.report, requestedAtMs + fixHours * HOUR_MS);
      }
      made += 1;
    }
    log.info({ reports: made }, 'demo field reports: a week of history');
  })().catch((err: unknown) => log.warn({ err }, 'demo field report history failed'));

  const tick = () => {
    if (stopped) return;
    inFlight = (async () => {
      const nowMs = Date.now();
      announce(await create(nowMs));
      if (random() < 0.5) {
        const open = await options.reports.list({ statuses: random() < 0.5 ? ['new'] : ['assigned'], limit: 20, offset: 0 });
        const report = open.reports.length > 0 ? pick(random, open.reports) : undefined;
        if (report) announce((report.status === 'new' ? await assign(report, nowMs) : await resolve(report, nowMs)).report);
      }
    })().catch((err: unknown) => log.warn({ err }, 'demo field report failed'));
    const meanMs = (options.meanIntervalMinutes ?? 4) * 60_000;
    timer = setTimeout(tick, meanMs * (0.5 + random()));
    timer.unref();
  };
  void ready.then(() => {
    if (!stopped) tick();
  });

  return {
    ready,
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await ready;
      await inFlight;
    },
  };
}
