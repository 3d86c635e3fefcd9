import { useEffect, useState } from 'react';
import { SENSOR_PROPERTY_NAMES, type SensorProperty } from '@ioc/schemas';
import { formatDateTime, propertyLabel, strings, type Lang } from '../i18n';
import { isStale, type WallState } from '../state/wall-state';
import { SCENE_IDS, type Rotation, type SceneId } from '../scenes';

interface HeaderProps {
  state: WallState;
  lang: Lang;
  kiosk: boolean;
  property: SensorProperty;
  staleAfterMs: number;
  onLang(lang: Lang): void;
  onProperty(property: SensorProperty): void;
  rotation: Rotation;
  onPin(scene: SceneId): void;
  onUnpin(): void;
  /** Called after every commit of the clock: the watchdog's proof that React still renders. */
  onCommit(): void;
}

/** Title, site, clock (Vietnam time), link status; the switches only outside kiosk mode. */
export function Header({ state, lang, kiosk, property, staleAfterMs, onLang, onProperty, rotation, onPin, onUnpin, onCommit }: HeaderProps) {
  const [nowMs, setNowMs] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNowMs(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  useEffect(() => onCommit(), [nowMs, onCommit]);
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
      <div className="scene-name" data-scene={rotation.scene}>
        {t.scenes[rotation.scene]}
        {kiosk ? null : (
          <span className="scene-dots" aria-hidden="true">
            {SCENE_IDS.map((id) => (
              <span key={id} className={id === rotation.scene ? 'scene-dot active' : 'scene-dot'} />
            ))}
          </span>
        )}
      </div>
      {kiosk ? null : (
        <nav className="switches" aria-label="controls">
          <div className="switch-group" role="group">
            {SCENE_IDS.map((id) => (
              <button key={id} type="button" className={id === rotation.scene ? 'switch active' : 'switch'} aria-pressed={id === rotation.scene} onClick={() => onPin(id)}>
                {t.scenes[id]}
              </button>
            ))}
            <button type="button" className={rotation.pinned ? 'switch pin active' : 'switch pin'} aria-pressed={rotation.pinned} onClick={() => (rotation.pinned ? onUnpin() : onPin(rotation.scene))}>
              {rotation.pinned ? t.unpin : t.pin}
            </button>
          </div>
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
