import { formatNumber, strings, type Lang } from '../i18n';
import type { PanelStatus } from '../state/feeds';
import { Panel } from './Panel';

export interface KpiValues {
  devicesOnline: number | undefined;
  devicesTotal: number | undefined;
  camerasOnline: number | undefined;
  camerasTotal: number | undefined;
  alerts: number;
  violationsToday: number;
}

/** Four big figures, readable from the back of the room. */
export function Kpis({ values, lang, status, lastDataAtMs }: { values: KpiValues; lang: Lang; status: PanelStatus; lastDataAtMs: number | undefined }) {
  const t = strings(lang);
  const ratio = (part: number | undefined, whole: number | undefined) => (part === undefined || whole === undefined || whole === 0 ? '—' : `${formatNumber(part, lang)}/${formatNumber(whole, lang)}`);
  const tiles: Array<[string, string]> = [
    [t.kpi.devicesOnline, ratio(values.devicesOnline, values.devicesTotal)],
    [t.kpi.camerasOnline, ratio(values.camerasOnline, values.camerasTotal)],
    [t.kpi.alerts, formatNumber(values.alerts, lang)],
    [t.kpi.violationsToday, formatNumber(values.violationsToday, lang)],
  ];
  return (
    <Panel id="kpis" lang={lang} status={status} lastDataAtMs={lastDataAtMs}>
      <div className="kpis">
        {tiles.map(([label, value]) => (
          <div key={label} className="kpi">
            <span className="kpi-value">{value}</span>
            <span className="kpi-label">{label}</span>
          </div>
        ))}
      </div>
    </Panel>
  );
}
