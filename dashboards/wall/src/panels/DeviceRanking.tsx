import type { SensorProperty } from '@ioc/schemas';
import type { TickerRow } from '../state/public-live';
import { formatDateTime, propertyUnit, strings, type Lang } from '../i18n';
import { cssColor, type DevicePoint } from '../map/device-points';
import { panelStatus } from '../state/feeds';
import { FitList, Panel } from './Panel';

/** The devices with the highest current values first: what an operator looks at next. */
export function DeviceRanking({ points, property, lang, lastDataAtMs, nowMs, staleAfterMs }: { points: DevicePoint[]; property: SensorProperty; lang: Lang; lastDataAtMs: number | undefined; nowMs: number; staleAfterMs: number }) {
  const ranked = [...points].sort((a, b) => (b.value ?? -Infinity) - (a.value ?? -Infinity)).slice(0, 12);
  const unit = propertyUnit(property, lang);
  const status = panelStatus({ hasData: ranked.length > 0, lastDataAtMs }, nowMs, staleAfterMs);
  return (
    <Panel id="ranking" lang={lang} status={status} lastDataAtMs={lastDataAtMs}>
      <FitList className="ranking" version={ranked.map((point) => point.id).join('|')}>
        {ranked.map((point) => (
          <li key={point.id} className="ranking-item" data-device-id={point.id}>
            <span className="swatch" style={{ background: cssColor(point.color) }} />
            <span className="ranking-name">{point.name}</span>
            <span className="ranking-value">
              {point.label || '—'}
              {point.label ? <span className="unit"> {unit}</span> : null}
            </span>
          </li>
        ))}
      </FitList>
    </Panel>
  );
}

/**
 * A ticker of the latest alerts, newest first: recent incidents and field reports above the violations
 * (`state/public-live.ts` `tickerRows`). Alerts come over the live socket; no alert is data too.
 */
export function AlertList({ rows, lang, lastDataAtMs, nowMs, staleAfterMs }: { rows: readonly TickerRow[]; lang: Lang; lastDataAtMs: number | undefined; nowMs: number; staleAfterMs: number }) {
  const t = strings(lang);
  const status = panelStatus({ hasData: lastDataAtMs !== undefined, lastDataAtMs }, nowMs, staleAfterMs);
  return (
    <Panel id="alerts" lang={lang} status={status} lastDataAtMs={lastDataAtMs}>
      {rows.length === 0 ? (
        <p className="muted">{t.noAlerts}</p>
      ) : (
        <FitList className="alerts" version={rows.map((row) => row.id).join('|')}>
          {rows.map((row) => (
            <li key={row.id} className={`alert alert-${row.severity} alert-kind-${row.kind}`} data-kind={row.kind}>
              <span className="alert-time">{formatDateTime(row.atMs).slice(11)}</span>
              <span className="alert-text">{row.text ?? (row.detail ? `${t.alertKinds[row.kind]}: ${row.detail}` : undefined) ?? (row.subCategory ? t.rules[row.subCategory] : undefined) ?? t.alertKinds[row.kind]}</span>
            </li>
          ))}
        </FitList>
      )}
    </Panel>
  );
}
