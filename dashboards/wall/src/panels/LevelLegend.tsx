import { SENSOR_PROPERTIES, type SensorProperty } from '@ioc/schemas';
import { formatNumber, propertyLabel, propertyUnit, strings, type Lang } from '../i18n';
import { LEVEL_COLORS, NO_DATA_COLOR, cssColor } from '../map/device-points';
import { Panel } from './Panel';

/** The colour key for the selected property: each level with its range, and grey for no data. */
export function LevelLegend({ property, lang, counts }: { property: SensorProperty; lang: Lang; counts: readonly number[] }) {
  const t = strings(lang);
  const thresholds = SENSOR_PROPERTIES[property].levelThresholds;
  const unit = propertyUnit(property, lang);
  const range = (level: number): string => {
    const low = level === 0 ? undefined : thresholds[level - 1];
    const high = thresholds[level];
    if (low === undefined && high !== undefined) return `< ${formatNumber(high, lang)}`;
    if (high === undefined && low !== undefined) return `≥ ${formatNumber(low, lang)}`;
    return `${formatNumber(low as number, lang)}–${formatNumber(high as number, lang)}`;
  };
  return (
    <Panel
      id="legend"
      lang={lang}
      status="data"
      title={
        <>
          {t.levelsTitle}: {propertyLabel(property, lang)} <span className="unit">({unit})</span>
        </>
      }
    >
      <ul className="legend">
        {t.levels.map((name, level) => (
          <li key={name} className="legend-item">
            <span className="swatch" style={{ background: cssColor(LEVEL_COLORS[level] ?? NO_DATA_COLOR) }} />
            <span className="legend-name">{name}</span>
            <span className="legend-range">{range(level)}</span>
            <span className="legend-count">{counts[level] ?? 0}</span>
          </li>
        ))}
        <li className="legend-item">
          <span className="swatch" style={{ background: cssColor(NO_DATA_COLOR) }} />
          <span className="legend-name">{t.noData}</span>
          <span className="legend-range" />
          <span className="legend-count">{counts[5] ?? 0}</span>
        </li>
      </ul>
    </Panel>
  );
}
