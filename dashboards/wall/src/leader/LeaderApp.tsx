import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import { DAY_MS, REVIEW_FAMILIES, REVIEW_METRICS, addDaysToDate, vietnamDateOf, type DailyReview, type ReviewComparison, type ReviewMetric, type ReviewMetricKey } from '@ioc/schemas';
import { formatDateTime, formatNumber, type Lang } from '../i18n';
import { LEADER_STRINGS, type LeaderStrings } from './strings';
import { apiFetch } from '../session';
import { UserMenu } from '../UserMenu';
import { deltaView, displayDate, formatFigure, parseDisplayDate, reviewQuery } from './review-view';

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, CanvasRenderer]);

const LANG_KEY = 'ioc.leader.lang';

interface Filters {
  date: string;
  district?: string | undefined;
  agency?: string | undefined;
}

/** The page's state lives in the address (date, district, agency) so a drill-down can be shared or bookmarked. */
function filtersFromLocation(): Filters {
  const params = new URLSearchParams(window.location.search);
  const date = params.get('date');
  return {
    date: date && /^\d{4}-\d{2}-\d{2}$/.test(date) ? date : vietnamDateOf(Date.now()),
    district: params.get('district') ?? undefined,
    agency: params.get('agency') ?? undefined,
  };
}

function metricLabel(key: ReviewMetricKey, lang: Lang): string {
  return REVIEW_METRICS[key][lang];
}

function Delta({ metric, comparison, reference, t, lang, caption }: { metric: ReviewMetric; comparison: ReviewComparison; reference: number | null; t: LeaderStrings; lang: Lang; caption: string }) {
  const view = deltaView(metric, comparison.value, reference, lang, t.percentPoints);
  const verdict = view.tone === 'good' ? t.better : view.tone === 'bad' ? t.worse : view.tone === 'same' ? t.same : '';
  return (
    <span className={`delta delta-${view.tone}`} title={`${caption}: ${formatFigure(reference, metric.unit, lang)}${verdict ? ` (${verdict})` : ''}`}>
      {view.arrow && <span className="delta-arrow" aria-hidden="true">{view.arrow}</span>}
      <span className="delta-text">{view.text}</span>
      <span className="delta-reference">{formatFigure(reference, metric.unit, lang)}</span>
    </span>
  );
}

function ComparisonCells({ metric, which, t, lang }: { metric: ReviewMetric; which: 'day' | 'previousDay'; t: LeaderStrings; lang: Lang }) {
  const comparison = metric[which];
  return (
    <>
      <td className="num figure" data-figure={`${metric.key}.${which}`}>{formatFigure(comparison.value, metric.unit, lang)}</td>
      <td className="num"><Delta metric={metric} comparison={comparison} reference={comparison.dayBefore} t={t} lang={lang} caption={t.vsDayBefore} /></td>
      <td className="num"><Delta metric={metric} comparison={comparison} reference={comparison.sevenDayAverage} t={t} lang={lang} caption={t.vsSevenDayAverage} /></td>
      <td className="num"><Delta metric={metric} comparison={comparison} reference={comparison.sameWeekdayLastWeek} t={t} lang={lang} caption={t.vsLastWeek} /></td>
    </>
  );
}

/** The 9 days behind the comparisons, as bars, for the figure chosen in the tables. */
function TrendChart({ review, metricKey, lang, title }: { review: DailyReview; metricKey: ReviewMetricKey; lang: Lang; title: string }) {
  const containerRef = useRef<HTMLDivElement>(null);
  const chartRef = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    const container = containerRef.current;
    if (!container) return;
    const chart = echarts.init(container, undefined, { renderer: 'canvas' });
    chartRef.current = chart;
    const observer = new ResizeObserver(() => chart.resize());
    observer.observe(container);
    return () => {
      observer.disconnect();
      chart.dispose();
      chartRef.current = null;
    };
  }, []);
  useEffect(() => {
    const chart = chartRef.current;
    if (!chart) return;
    const unit = REVIEW_METRICS[metricKey].unit;
    chart.setOption({
      animation: false,
      grid: { left: 56, right: 16, top: 16, bottom: 28 },
      tooltip: { trigger: 'axis', valueFormatter: (value: unknown) => (typeof value === 'number' ? formatFigure(value, unit, lang) : '–') },
      xAxis: { type: 'category', data: review.days.map((day) => displayDate(day.date).slice(0, 5)), axisLabel: { fontFamily: 'Be Vietnam Pro' } },
      yAxis: { type: 'value', axisLabel: { fontFamily: 'Be Vietnam Pro', formatter: (value: number) => formatNumber(value, lang, 1) } },
      series: [{
        type: 'bar',
        data: review.days.map((day, index) => ({
          value: day.values[metricKey],
          itemStyle: { color: index === review.days.length - 1 ? '#1d4ed8' : index === review.days.length - 2 ? '#60a5fa' : '#cbd5e1' },
        })),
      }],
    }, { notMerge: true });
  }, [review, metricKey, lang]);
  return (
    <section className="card trend">
      <h2>{title}</h2>
      <div ref={containerRef} className="trend-chart" data-chart="leader-trend" />
    </section>
  );
}

export function LeaderApp() {
  const [lang, setLang] = useState<Lang>(() => {
    const fromQuery = new URLSearchParams(window.location.search).get('lang');
    if (fromQuery === 'en' || fromQuery === 'vi') return fromQuery;
    return localStorage.getItem(LANG_KEY) === 'en' ? 'en' : 'vi';
  });
  const t = LEADER_STRINGS[lang];
  const [filters, setFilters] = useState<Filters>(filtersFromLocation);
  const [review, setReview] = useState<DailyReview | undefined>();
  const [problem, setProblem] = useState<string | undefined>();
  const [loading, setLoading] = useState(true);
  const [chartMetric, setChartMetric] = useState<ReviewMetricKey>('trafficVolume');
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = t.title;
    localStorage.setItem(LANG_KEY, lang);
  }, [lang, t.title]);

  useEffect(() => {
    const query = reviewQuery(filters);
    window.history.replaceState(null, '', `${window.location.pathname}?${query}`);
    const controller = new AbortController();
    setLoading(true);
    apiFetch(`/api/v1/review/daily?${query}`, { signal: controller.signal })
      .then(async (response) => {
        if (!response.ok) {
          const body = (await response.json().catch(() => undefined)) as { error?: { message?: string } } | undefined;
          throw new Error(body?.error?.message ?? `HTTP ${response.status}`);
        }
        return (await response.json()) as DailyReview;
      })
      .then((next) => {
        setReview(next);
        setProblem(undefined);
        setLoading(false);
      })
      .catch((err: unknown) => {
        if (controller.signal.aborted) return;
        setProblem(err instanceof Error ? err.message : String(err));
        setLoading(false);
      });
    return () => controller.abort();
  }, [filters, attempt]);

  // Today's figures keep moving: refetch every 5 minutes while today is shown (a past day is settled).
  useEffect(() => {
    if (filters.date !== vietnamDateOf(Date.now())) return;
    const timer = setInterval(() => setAttempt((count) => count + 1), 5 * 60_000);
    return () => clearInterval(timer);
  }, [filters.date]);

  const update = useCallback((change: Partial<Filters>) => setFilters((current) => ({ ...current, ...change })), []);
  const exportQuery = reviewQuery({ ...filters, lang });
  const districtName = useMemo(() => {
    if (!filters.district) return undefined;
    return review?.byDistrict.find((row) => row.districtCode === filters.district)?.districtName ?? filters.district;
  }, [review, filters.district]);
  const agencyName = useMemo(() => {
    if (!filters.agency) return undefined;
    return review?.byAgency.find((row) => row.agencyKey === filters.agency)?.agencyName ?? filters.agency;
  }, [review, filters.agency]);

  return (
    <div className="leader" data-ready={review && !loading ? 'true' : 'false'}>
      <header className="leader-header">
        <div>
          <p className="subtitle">{t.subtitle}</p>
          <h1>{t.title}</h1>
          {review && <p className="as-of">{review.asOfMs >= review.dayStartMs + DAY_MS ? t.asOfEndOfDay(displayDate(review.date)) : t.asOf(formatDateTime(review.asOfMs))}</p>}
        </div>
        <div className="controls">
          <DatePicker date={filters.date} t={t} onChange={(date) => update({ date })} />
          <a className="button" href={`/api/v1/review/daily.pdf?${exportQuery}`} data-testid="pdf" target="_blank" rel="noreferrer">{t.pdf}</a>
          <a className="button" href={`/api/v1/review/daily.csv?${exportQuery}`} data-testid="csv" download>{t.csv}</a>
          <button type="button" onClick={() => window.print()}>{t.print}</button>
          <button type="button" className="lang" onClick={() => setLang(lang === 'vi' ? 'en' : 'vi')} data-testid="lang">{t.switchLang}</button>
          <UserMenu lang={lang} />
        </div>
      </header>

      <nav className="scope" aria-label={t.district}>
        <span className="scope-label">{displayDate(filters.date)}</span>
        <span className="chip">{t.district}: {districtName ?? t.wholeProvince}{filters.district && <button type="button" onClick={() => update({ district: undefined })} data-testid="clear-district">× {t.clearFilter}</button>}</span>
        <span className="chip">{t.agency}: {agencyName ?? t.wholeProvince}{filters.agency && <button type="button" onClick={() => update({ agency: undefined })} data-testid="clear-agency">× {t.clearFilter}</button>}</span>
        {review && review.filters.notNarrowed.length > 0 && (
          <span className="note">* {t.notNarrowed}: {review.filters.notNarrowed.map((family) => t.families[family]).join(', ')}</span>
        )}
      </nav>

      {problem && (
        <div className="problem" role="alert">
          <strong>{t.failed}</strong> <span>{problem}</span> <button type="button" onClick={() => setAttempt((count) => count + 1)}>{t.retry}</button>
        </div>
      )}
      {!review && !problem && <p className="loading">{t.loading}</p>}

      {review && (
        <main className={loading ? 'stale' : undefined}>
          <section className="card">
            <table className="figures" data-testid="figures">
              <thead>
                <tr>
                  <th rowSpan={2} className="metric-col">{t.metric}</th>
                  <th colSpan={4} className="day-head">{t.selectedDay(displayDate(review.date))}</th>
                  <th colSpan={4} className="day-head previous">{t.previousDay(displayDate(review.previousDate))}</th>
                </tr>
                <tr>
                  {[0, 1].map((index) => (
                    <FragmentHeads key={index} t={t} />
                  ))}
                </tr>
              </thead>
              {REVIEW_FAMILIES.map((family) => (
                <tbody key={family} data-family={family}>
                  <tr className="family-row">
                    <th colSpan={9}>{t.families[family]}{review.filters.notNarrowed.includes(family) ? ' *' : ''}</th>
                  </tr>
                  {review.metrics.filter((metric) => metric.family === family).map((metric) => (
                    <tr key={metric.key} data-metric={metric.key} className={metric.key === chartMetric ? 'chosen' : undefined} onClick={() => setChartMetric(metric.key)}>
                      <th scope="row" className={metricLabel(metric.key, lang).startsWith('—') ? 'sub' : undefined}>{metricLabel(metric.key, lang).replace(/^— /, '')}</th>
                      <ComparisonCells metric={metric} which="day" t={t} lang={lang} />
                      <ComparisonCells metric={metric} which="previousDay" t={t} lang={lang} />
                    </tr>
                  ))}
                </tbody>
              ))}
            </table>
          </section>

          <div className="columns">
            <TrendChart review={review} metricKey={chartMetric} lang={lang} title={t.trendTitle(metricLabel(chartMetric, lang).replace(/^— /, ''))} />
            <section className="card">
              <h2>{t.overdueTitle}</h2>
              {review.overdueByAgency.length === 0 ? <p className="muted">{t.noOverdue}</p> : (
                <table className="list" data-testid="overdue">
                  <thead><tr><th>{t.agency}</th><th className="num">{t.overdue}</th><th className="num">{t.toProcess}</th></tr></thead>
                  <tbody>
                    {review.overdueByAgency.map((row) => (
                      <tr key={row.agencyCode} className="clickable" onClick={() => update({ agency: row.agencyCode })}>
                        <td>{row.agencyName}</td>
                        <td className="num bad">{formatNumber(row.overdue, lang, 0)}</td>
                        <td className="num">{formatNumber(row.toProcess, lang, 0)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
          </div>

          <section className="card">
            <h2>{t.byDistrict} — {displayDate(review.date)} <small>{t.drillHint}</small></h2>
            <table className="list" data-testid="districts">
              <thead>
                <tr>
                  <th>{t.district}</th><th className="num">{t.columns.traffic}</th><th className="num">{t.columns.violations}</th><th className="num">{t.columns.received}</th>
                  <th className="num">{t.columns.resolved}</th><th className="num">{t.columns.onTime}</th><th className="num">{t.columns.overdue}</th><th className="num">{t.columns.incidents}</th>
                </tr>
              </thead>
              <tbody>
                {review.byDistrict.map((row) => (
                  <tr key={row.districtCode} data-district={row.districtCode} className={`clickable${row.districtCode === filters.district ? ' chosen' : ''}`}
                    onClick={() => row.districtCode && update({ district: row.districtCode === filters.district ? undefined : row.districtCode })}>
                    <td>{row.districtName ?? (row.districtCode || t.noDistrict)}</td>
                    <td className="num">{formatNumber(row.trafficVolume, lang, 0)}</td>
                    <td className="num">{formatNumber(row.violations, lang, 0)}</td>
                    <td className="num">{formatNumber(row.dossiersReceived, lang, 0)}</td>
                    <td className="num">{formatNumber(row.dossiersResolved, lang, 0)}</td>
                    <td className="num">{formatFigure(row.dossiersOnTimeRatePercent, 'percent', lang)}</td>
                    <td className={`num${row.dossiersOverdue > 0 ? ' bad' : ''}`}>{formatNumber(row.dossiersOverdue, lang, 0)}</td>
                    <td className="num">{formatNumber(row.incidentsRaised, lang, 0)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>

          <section className="card">
            <h2>{t.byAgency} — {displayDate(review.date)} <small>{t.drillHint}</small></h2>
            <table className="list" data-testid="agencies">
              <thead>
                <tr>
                  <th>{t.agency}</th><th className="num">{t.columns.received}</th><th className="num">{t.columns.resolved}</th><th className="num">{t.columns.onTime}</th>
                  <th className="num">{t.columns.overdue}</th><th className="num">{t.columns.reportsNew}</th><th className="num">{t.columns.reportsResolved}</th><th className="num">{t.columns.reportsOverdue}</th>
                </tr>
              </thead>
              <tbody>
                {review.byAgency.map((row) => (
                  <tr key={row.agencyKey} data-agency={row.agencyKey} className={`clickable${row.agencyKey === filters.agency ? ' chosen' : ''}`}
                    onClick={() => update({ agency: row.agencyKey === filters.agency ? undefined : row.agencyKey })}>
                    <td>{row.agencyName}</td>
                    <td className="num">{formatNumber(row.dossiersReceived, lang, 0)}</td>
                    <td className="num">{formatNumber(row.dossiersResolved, lang, 0)}</td>
                    <td className="num">{formatFigure(row.dossiersOnTimeRatePercent, 'percent', lang)}</td>
                    <td className={`num${row.dossiersOverdue > 0 ? ' bad' : ''}`}>{formatNumber(row.dossiersOverdue, lang, 0)}</td>
                    <td className="num">{formatNumber(row.fieldReportsNew, lang, 0)}</td>
                    <td className="num">{formatNumber(row.fieldReportsResolved, lang, 0)}</td>
                    <td className={`num${row.fieldReportsOverdue > 0 ? ' bad' : ''}`}>{formatNumber(row.fieldReportsOverdue, lang, 0)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </main>
      )}
    </div>
  );
}

function FragmentHeads({ t }: { t: LeaderStrings }) {
  return (
    <>
      <th className="num">{t.value}</th>
      <th className="num">{t.vsDayBefore}</th>
      <th className="num">{t.vsSevenDayAverage}</th>
      <th className="num">{t.vsLastWeek}</th>
    </>
  );
}

/**
 * dd/MM/yyyy typed or stepped a day at a time: the browser's own date input shows the browser's locale
 * (mm/dd/yyyy on an English system), which a Vietnamese reader would misread.
 */
function DatePicker({ date, t, onChange }: { date: string; t: LeaderStrings; onChange: (date: string) => void }) {
  const [text, setText] = useState(displayDate(date));
  useEffect(() => setText(displayDate(date)), [date]);
  const today = vietnamDateOf(Date.now());
  const commit = () => {
    const parsed = parseDisplayDate(text);
    if (parsed && parsed <= today) onChange(parsed);
    else setText(displayDate(date));
  };
  return (
    <div className="date-picker">
      <label htmlFor="leader-date">{t.date}</label>
      <div className="date-row">
        <button type="button" aria-label={t.previousDayButton} onClick={() => onChange(addDaysToDate(date, -1))} data-testid="previous-day">‹</button>
        <input id="leader-date" type="text" inputMode="numeric" placeholder="dd/mm/yyyy" value={text} size={10}
          onChange={(event) => setText(event.target.value)} onBlur={commit} onKeyDown={(event) => event.key === 'Enter' && commit()} data-testid="date" />
        <button type="button" aria-label={t.nextDayButton} disabled={date >= today} onClick={() => onChange(addDaysToDate(date, 1))} data-testid="next-day">›</button>
        <button type="button" onClick={() => onChange(today)}>{t.today}</button>
      </div>
    </div>
  );
}
