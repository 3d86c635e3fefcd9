import path from 'node:path';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { addDaysToDate, iocError, reviewQuerySchema, parseWith, vietnamDateOf } from '@ioc/schemas';
import { ReviewRepository } from '@ioc/store';
import { loadConfig } from '../config-file';
import { openCommandDatabase } from '../embedded/command-database';
import { DEMO_SITE } from '../demo/site';
import { writeDailyReport } from './daily-report';

export const REPORT_DAILY_USAGE = 'ioc report-daily [--date YYYY-MM-DD] [--out DIR]   the daily review as bao-cao-ngay-DATE.pdf and .csv (default: yesterday, reports.directory or <dataDir>/reports)';

/**
 * `ioc report-daily --date D --out DIR`: the same files the scheduler writes, on demand. The database is
 * DATABASE_URL; otherwise the embedded one (reached while `ioc start` runs, started here when it does not).
 */
export async function reportDailyCommand(argv: string[]): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { date: { type: 'string' }, out: { type: 'string' } }, strict: true });
  const parsed = parseWith(reviewQuerySchema, values.date === undefined ? {} : { date: values.date }, 'arguments');
  if (!parsed.ok) throw iocError('IOC_ERR_VALIDATION', `--date: expected YYYY-MM-DD\nusage: ${REPORT_DAILY_USAGE}`, { issues: [...parsed.error.issues] });
  const config = loadConfig();
  const date = parsed.value.date ?? addDaysToDate(vietnamDateOf(Date.now()), -1);
  const directory = path.resolve(values.out ?? config.reports.directory ?? path.join(config.dataDir, 'reports'));
  const logger = pino({ level: 'warn' }, pino.destination(2));
  const { pool, close } = await openCommandDatabase(config, logger, 8);
  try {
    const districtNames = config.demo.enabled ? new Map(DEMO_SITE.districts.map((district) => [district.code, district.name])) : undefined;
    const paths = await writeDailyReport({ reviews: new ReviewRepository(pool), directory, ...(districtNames ? { districtNames } : {}) }, date);
    process.stdout.write(`${JSON.stringify({ date, ...paths })}\n`);
    return 0;
  } finally {
    await close();
  }
}
