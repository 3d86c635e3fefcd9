import { useEffect, useState } from 'react';
import { SENSOR_PROPERTY_NAMES, type SensorProperty } from '@ioc/schemas';
import { formatDateTime, propertyLabel, strings, type Lang } from '../i18n';
import { isStale, type WallState } from '../state/wall-state';

interface HeaderProps {
  state: WallState;
  lang: Lang;
  kiosk: boolean;
  property: SensorProperty;
  staleAfterMs: number;
  onLang(lang: Lang): void;
  onProperty(property: SensorProperty): void;
}

/** Title, site, clock (Vietnam time), link status; the switches only outside kiosk mode. */
export function Header({ state, lang, kiosk, property, staleAfterMs, onLang, onProperty }: HeaderProps) {
  const [nowMs, setNowMs] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNowMs(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const t = strings(lang);
  const stale = state.status === 'live' && isStale(state, nowMs, staleAfterMs);
  const status = stale ? 'stale' : state.status;
  const statusText = stale ? t.stale : t.connection[state.status];

  return (
    <header className="wall-header">
      <div className="title-block">
        <h1 className="title">{t.title}</h1>
        {state.site ? <div className="site-name">{state.site.name}</div> : null}
      </div>
      {kiosk ? null : (
        <nav className="switches" aria-label="controls">
          <div className="switch-group" role="group">
            {SENSOR_PROPERTY_NAMES.map((name) => (
              <button key={name} type="button" className={name === property ? 'switch active' : 'switch'} aria-pressed={name === property} onClick={() => onProperty(name)}>
                {propertyLabel(name, lang)}
              </button>
            ))}
          </div>
          <div className="switch-group" role="group" aria-label={t.switchLang}>
            <button type="button" className={lang === 'vi' ? 'switch active' : 'switch'} aria-pressed={lang === 'vi'} onClick={() => onLang('vi')}>
              VI
            </button>
            <button type="button" className={lang === 'en' ? 'switch active' : 'switch'} aria-pressed={lang === 'en'} onClick={() => onLang('en')}>
              EN
            </button>
          </div>
        </nav>
      )}
      <div className="status-block">
        <div className={`connection connection-${status}`} role="status" data-status={status}>
          <span className="dot" aria-hidden="true" />
          {statusText}
        </div>
        <time className="clock" dateTime={new Date(nowMs).toISOString()}>
          {formatDateTime(nowMs, { seconds: true })}
        </time>
      </div>
    </header>
  );
}
