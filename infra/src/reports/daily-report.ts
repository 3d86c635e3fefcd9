import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { DAY_MS, VIETNAM_UTC_OFFSET_MS, addDaysToDate, dailyReportFileName, vietnamDateOf, vietnamDateStartMs } from '@ioc/schemas';
import type { ReviewRepository } from '@ioc/store';
import { dailyReviewCsv, dailyReviewPdf } from '@ioc/api';

export interface DailyReportTarget {
  reviews: Pick<ReviewRepository, 'daily'>;
  directory: string;
  districtNames?: ReadonlyMap<string, string>;
}

/** Writes a file so that readers see either nothing or the whole file: a temp file beside it, then a rename. */
function writeAtomically(filePath: string, content: Buffer): void {
  const temporaryPath = `${filePath}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(temporaryPath, content, { flag: 'wx' });
    renameSync(temporaryPath, filePath);
  } catch (err) {
    rmSync(temporaryPath, { force: true });
    throw err;
  }
}

export function dailyReportPaths(directory: string, date: string): { pdf: string; csv: string } {
  return { pdf: path.join(directory, dailyReportFileName(date, 'pdf')), csv: path.join(directory, dailyReportFileName(date, 'csv')) };
}

/**
 * The review of one Vietnam day as `bao-cao-ngay-DATE.pdf` and `.csv` in the directory. The review is judged
 * at the end of that day when it is over, so a report written late shows the same open items as one written on time.
 */
export async function writeDailyReport(target: DailyReportTarget, date: string, nowMs = Date.now()): Promise<{ pdf: string; csv: string }> {
  mkdirSync(target.directory, { recursive: true });
  const review = await target.reviews.daily({ date, nowMs: Math.min(nowMs, vietnamDateStartMs(date) + DAY_MS), ...(target.districtNames ? { districtNames: target.districtNames } : {}) });
  const paths = dailyReportPaths(target.directory, date);
  // CSV first, PDF last: the PDF's presence is what marks the day as done.
  writeAtomically(paths.csv, dailyReviewCsv(review, 'vi'));
  writeAtomically(paths.pdf, await dailyReviewPdf(review, { lang: 'vi', ...(target.districtNames ? { districtNames: target.districtNames } : {}) }));
  return paths;
}

/** The day whose report is due at `nowMs`: yesterday from the configured hour on, the day before until then. */
export function dueReportDate(nowMs: number, dailyAtHourVietnam: number): string {
  const hourVietnam = new Date(nowMs + VIETNAM_UTC_OFFSET_MS).getUTCHours();
  return addDaysToDate(vietnamDateOf(nowMs), hourVietnam >= dailyAtHourVietnam ? -1 : -2);
}

export interface DailyReportSchedulerOptions extends DailyReportTarget {
  dailyAtHourVietnam: number;
  logger: Logger;
  checkIntervalMs?: number;
  /** The first check waits this long after start, so it does not compete with start-up (default 15 s). */
  firstCheckDelayMs?: number;
  nowMs?: () => number;
}

/**
 * Writes the previous day's report once a day from the configured hour. Whether a day is done is read from
 * the directory (both files present), so a restart neither writes it twice nor forgets it; a day missed while
 * the service was down before the hour is written at the next check.
 */
export class DailyReportScheduler {
  readonly #options: DailyReportSchedulerOptions;
  readonly #log: Logger;
  #timer: NodeJS.Timeout | undefined;
  #firstCheck: NodeJS.Timeout | undefined;
  #running: Promise<string | undefined> | undefined;
  #written = 0;

  constructor(options: DailyReportSchedulerOptions) {
    this.#options = options;
    this.#log = options.logger.child({ module: 'daily-report' });
  }

  /** How many reports this scheduler has written. */
  get writtenCount(): number {
    return this.#written;
  }

  start(): void {
    if (this.#timer) return;
    this.#firstCheck = setTimeout(() => void this.check(), this.#options.firstCheckDelayMs ?? 15_000);
    this.#firstCheck.unref();
    this.#timer = setInterval(() => void this.check(), this.#options.checkIntervalMs ?? 60_000);
    this.#timer.unref();
  }

  /** Writes the due report unless it exists; returns the date written, or undefined. One check at a time. */
  check(): Promise<string | undefined> {
    this.#running ??= this.#checkOnce().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #checkOnce(): Promise<string | undefined> {
    const nowMs = (this.#options.nowMs ?? Date.now)();
    const date = dueReportDate(nowMs, this.#options.dailyAtHourVietnam);
    const paths = dailyReportPaths(this.#options.directory, date);
    if (existsSync(paths.pdf) && existsSync(paths.csv)) return undefined;
    try {
      await writeDailyReport(this.#options, date, nowMs);
      this.#written += 1;
      this.#log.info({ date, pdf: paths.pdf, csv: paths.csv }, 'daily report written');
      return date;
    } catch (err) {
      this.#log.warn({ err, date }, 'daily report not written; retried at the next check');
      return undefined;
    }
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#firstCheck) clearTimeout(this.#firstCheck);
    this.#timer = undefined;
    this.#firstCheck = undefined;
    await this.#running;
  }
}
