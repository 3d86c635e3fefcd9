import type { SensorProperty } from '@ioc/schemas';
import { formatDateTime, propertyUnit, strings, type Lang } from '../i18n';
import { cssColor, type DevicePoint } from '../map/device-points';

/** The devices with the highest current values first: what an operator looks at next. */
export function DeviceRanking({ points, property, lang, limit }: { points: DevicePoint[]; property: SensorProperty; lang: Lang; limit: number }) {
  const t = strings(lang);
  const ranked = [...points].sort((a, b) => (b.value ?? -Infinity) - (a.value ?? -Infinity)).slice(0, limit);
  const unit = propertyUnit(property, lang);
  return (
    <section className="panel ranking-panel">
      <h2 className="panel-title">{t.devicesTitle}</h2>
      <ol className="ranking">
        {ranked.map((point) => (
          <li key={point.id} className="ranking-item" data-device-id={point.id}>
            <span className="swatch" style={{ background: cssColor(point.color) }} />
            <span className="ranking-name">{point.name}</span>
            <span className="ranking-value">
              {point.label || '—'} {point.label ? <span className="unit">{unit}</span> : null}
            </span>
          </li>
        ))}
      </ol>
    </section>
  );
}

export function AlertList({ alerts, lang }: { alerts: readonly { id: string; description?: string; subCategory: string; severity: string; dateIssued: string }[]; lang: Lang }) {
  const t = strings(lang);
  return (
    <section className="panel alerts-panel">
      <h2 className="panel-title">{t.alertsTitle}</h2>
      {alerts.length === 0 ? (
        <p className="muted">{t.noAlerts}</p>
      ) : (
        <ul className="alerts">
          {alerts.slice(0, 4).map((alert) => (
            <li key={alert.id} className={`alert alert-${alert.severity}`}>
              <span className="alert-time">{formatDateTime(Date.parse(alert.dateIssued))}</span>
              <span className="alert-text">{alert.description ?? alert.subCategory}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
