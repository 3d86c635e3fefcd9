import express, { type Router } from 'express';
import { dailyReportFileName, iocError, parseWith, reviewQuerySchema, vietnamDateOf, type DailyReview, type District } from '@ioc/schemas';
import type { ReviewRepository } from '@ioc/store';
import { dailyReviewCsv, dailyReviewPdf } from './review-export';

/** What the review routes read (the store's `ReviewRepository`). */
export type ReviewReader = Pick<ReviewRepository, 'daily'>;

export interface ReviewRouterOptions {
  reviews: ReviewReader;
  /** The site's districts: names for the drill-down table. */
  districts?: readonly Pick<District, 'code' | 'name'>[];
  /** The clock (tests). */
  nowMs?: () => number;
}

/**
 * The leaders' daily review:
 * - `GET /api/v1/review/daily?date=YYYY-MM-DD&district=&agency=` — JSON (`DailyReview`), today (Vietnam) by default
 * - `GET /api/v1/review/daily.pdf?…&lang=vi|en` — the same as a PDF
 * - `GET /api/v1/review/daily.csv?…&lang=vi|en` — the same as CSV (UTF-8 with BOM)
 */
export function createReviewRouter(options: ReviewRouterOptions): Router {
  const router = express.Router();
  const districtNames = new Map((options.districts ?? []).map((district) => [district.code, district.name]));
  const clock = options.nowMs ?? Date.now;

  const load = async (query: unknown): Promise<{ review: DailyReview; lang: 'vi' | 'en' }> => {
    const parsed = parseWith(reviewQuerySchema, query, 'query');
    if (!parsed.ok) throw iocError('IOC_ERR_BAD_QUERY', parsed.error.message.replace(/^Invalid/, 'Invalid query'), { issues: [...parsed.error.issues] });
    const nowMs = clock();
    const date = parsed.value.date ?? vietnamDateOf(nowMs);
    const review = await options.reviews.daily({ date, districtCode: parsed.value.district, agencyKey: parsed.value.agency, nowMs, districtNames });
    return { review, lang: parsed.value.lang ?? 'vi' };
  };

  router.get('/api/v1/review/daily', async (request, response) => {
    const { review } = await load(request.query);
    response.setHeader('Cache-Control', 'no-store');
    response.json(review);
  });

  router.get('/api/v1/review/daily.pdf', async (request, response) => {
    const { review, lang } = await load(request.query);
    const pdf = await dailyReviewPdf(review, { lang, districtNames });
    response.setHeader('Content-Type', 'application/pdf');
    response.setHeader('Content-Disposition', `inline; filename="${dailyReportFileName(review.date, 'pdf')}"`);
    response.setHeader('Cache-Control', 'no-store');
    response.end(pdf);
  });

  router.get('/api/v1/review/daily.csv', async (request, response) => {
    const { review, lang } = await load(request.query);
    response.setHeader('Content-Type', 'text/csv; charset=utf-8');
    response.setHeader('Content-Disposition', `attachment; filename="${dailyReportFileName(review.date, 'csv')}"`);
    response.setHeader('Cache-Control', 'no-store');
    response.end(dailyReviewCsv(review, lang));
  });

  return router;
}
