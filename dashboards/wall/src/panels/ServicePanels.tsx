import type { HookRegistry } from '../hooks';
import { formatNumber, strings, type Lang } from '../i18n';
import { feedStatus, type FeedState } from '../state/feeds';
import { FIELD_REPORT_STATUSES } from '@ioc/schemas';
import { dossierHasData, type DossierSummary } from '../state/public-data';
import type { FieldReportSummary, IncidentSummary, SlaClass } from '../state/public-live';
import { THEME } from '../theme';
import { EChart, chartText } from './EChart';
import { FitList, Panel } from './Panel';

interface FeedPanelProps<T> {
  feed: FeedState<T>;
  lang: Lang;
  nowMs: number;
}

const STALE_MS = 120_000;

/** On-time rate as a gauge, received and resolved today as figures (dossier KPIs from the API). */
export function DossierGauges({ feed, lang, nowMs, scale, registry }: FeedPanelProps<DossierSummary> & { scale: number; registry: HookRegistry }) {
  const t = strings(lang);
  const status = feedStatus(feed, dossierHasData, nowMs, STALE_MS);
  const data = feed.data;
  const rate = data?.onTimeRatePercent;
  return (
    <Panel id="dossierGauges" lang={lang} status={status} lastDataAtMs={feed.lastOkAtMs}>
      <div className="dossier">
        <EChart
          name="dossierGauge"
          registry={registry}
          frameKey={`${lang}|${scale}`}
          frame={() => ({
            animation: false,
            series: [
              {
                id: 'onTime',
                type: 'gauge',
                min: 0,
                max: 100,
                radius: '95%',
                progress: { show: true, width: 18 * scale, itemStyle: { color: '#4ade80' } },
                axisLine: { lineStyle: { width: 18 * scale, color: [[1, '#1a2740']] } },
                axisTick: { show: false },
                splitLine: { show: false },
                axisLabel: { show: false },
                pointer: { show: false },
                title: { offsetCenter: [0, '38%'], ...chartText(scale, 18, THEME.muted) },
                detail: { offsetCenter: [0, '-5%'], ...chartText(scale, 44), formatter: (value: number) => `${formatNumber(value, lang)} %` },
              },
            ],
          })}
          data={{ series: [{ id: 'onTime', data: [{ value: rate ?? 0, name: t.dossier.onTimeRate }] }] }}
        />
        <div className="dossier-figures">
          <div className="kpi">
            <span className="kpi-value">{data?.received === undefined ? '—' : formatNumber(data.received, lang)}</span>
            <span className="kpi-label">{t.dossier.received}</span>
          </div>
          <div className="kpi">
            <span className="kpi-value">{data?.resolved === undefined ? '—' : formatNumber(data.resolved, lang)}</span>
            <span className="kpi-label">{t.dossier.resolved}</span>
          </div>
        </div>
      </div>
    </Panel>
  );
}

export function OverdueAgencies({ feed, lang, nowMs }: FeedPanelProps<DossierSummary>) {
  const t = strings(lang);
  const agencies = feed.data?.agencies ?? [];
  const status = feedStatus(feed, (data) => data.agencies.length > 0, nowMs, STALE_MS);
  return (
    <Panel id="overdueAgencies" lang={lang} status={status} lastDataAtMs={feed.lastOkAtMs}>
      <FitList className="ranking" version={agencies.map((agency) => agency.name).join('|')}>
        {agencies.slice(0, 10).map((agency) => (
          <li key={agency.name} className="ranking-item no-swatch">
            <span className="ranking-name">{agency.name}</span>
            <span className="ranking-value">
              {formatNumber(agency.overdue, lang)}
              <span className="unit"> {t.dossier.overdue}</span>
            </span>
          </li>
        ))}
      </FitList>
    </Panel>
  );
}

/** Horizontal bars with the count at the end: readable without a chart library, and text the screen test can check. */
function Bars({ rows, lang }: { rows: Array<{ key: string; label: string; value: number; color: string }>; lang: Lang }) {
  const max = Math.max(1, ...rows.map((row) => row.value));
  return (
    <ul className="bars">
      {rows.map((row) => (
        <li key={row.key} className="bar-row">
          <span className="bar-label">{row.label}</span>
          <span className="bar-track">
            <span className="bar-fill" style={{ width: `${(100 * row.value) / max}%`, background: row.color }} />
          </span>
          <span className="bar-value">{formatNumber(row.value, lang)}</span>
        </li>
      ))}
    </ul>
  );
}

/** Triage status and due-time colours (theme-checked against the panel background in theme.test.ts's palette). */
const REPORT_STATUS_COLORS: Record<'new' | 'assigned' | 'resolved', string> = { new: '#c4b5fd', assigned: '#7cb5fb', resolved: '#4ade80' };
const SLA_COLORS: Record<SlaClass, string> = { onTime: '#4ade80', nearDue: '#fcd34d', overdue: '#f87171' };

/**
 * Field reports: the open ones by triage status and the ones resolved today; the open ones against their due
 * time (on time / near due / overdue). From the report lists, kept live by their alerts.
 */
export function FieldReports({ feed, summary, lang, nowMs }: FeedPanelProps<unknown> & { summary: FieldReportSummary }) {
  const t = strings(lang);
  const status = feedStatus(feed, () => summary.total > 0, nowMs, STALE_MS);
  const statusRows = FIELD_REPORT_STATUSES.map((key) => ({ key, label: t.reportStatuses[key], value: summary.byStatus[key], color: REPORT_STATUS_COLORS[key] }));
  const slaRows = (['onTime', 'nearDue', 'overdue'] as const).map((key) => ({ key, label: t.sla[key], value: summary.sla[key], color: SLA_COLORS[key] }));
  return (
    <Panel id="fieldReports" lang={lang} status={status} lastDataAtMs={feed.lastOkAtMs}>
      <div className="bar-groups">
        <section className="bar-group" data-group="status">
          <h3 className="bar-group-title">{t.reportByStatus}</h3>
          <Bars rows={statusRows} lang={lang} />
        </section>
        <section className="bar-group" data-group="sla">
          <h3 className="bar-group-title">{t.reportBySla}</h3>
          <Bars rows={slaRows} lang={lang} />
        </section>
      </div>
    </Panel>
  );
}

const SEVERITY_COLORS: Record<string, string> = { critical: '#f87171', high: '#fb923c', medium: '#fcd34d', low: '#7cb5fb', informational: '#94a3b8' };

/** Open incidents per severity, split into not yet acknowledged (full colour) and acknowledged (dimmed). */
export function IncidentsBySeverity({ feed, summary, lang, nowMs }: FeedPanelProps<unknown> & { summary: IncidentSummary }) {
  const t = strings(lang);
  const status = feedStatus(feed, () => summary.total > 0, nowMs, STALE_MS);
  const rows = ['critical', 'high', 'medium', 'low'].map((key) => ({ key, label: t.severities[key] ?? key, ...(summary.bySeverity[key] ?? { open: 0, acknowledged: 0 }), color: SEVERITY_COLORS[key] ?? '#94a3b8' }));
  const max = Math.max(1, ...rows.map((row) => row.open + row.acknowledged));
  return (
    <Panel id="incidentsBySeverity" lang={lang} status={status} lastDataAtMs={feed.lastOkAtMs}>
      <div className="incident-table">
        <div className="incident-legend">
          <span className="incident-key">
            <span className="incident-swatch" />
            {t.incidentColumns.open}
          </span>
          <span className="incident-key">
            <span className="incident-swatch incident-swatch-acknowledged" />
            {t.incidentColumns.acknowledged}
          </span>
        </div>
        <ul className="bars">
          {rows.map((row) => (
            <li key={row.key} className="incident-row" data-severity={row.key}>
              <span className="bar-label">{row.label}</span>
              <span className="bar-track">
                <span className="bar-fill" style={{ width: `${(100 * row.open) / max}%`, background: row.color }} />
                <span className="bar-fill bar-fill-acknowledged" style={{ width: `${(100 * row.acknowledged) / max}%`, background: row.color }} />
              </span>
              <span className="bar-value">{formatNumber(row.open, lang)}</span>
              <span className="bar-value muted-value">{formatNumber(row.acknowledged, lang)}</span>
            </li>
          ))}
        </ul>
      </div>
    </Panel>
  );
}
