import { useCallback, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { SensorProperty } from '@ioc/schemas';
import type { HookRegistry } from './hooks';
import { strings, type Lang } from './i18n';
import type { WallConfig } from './live/config';
import type { WallConnection } from './live/connection';
import type { WallStore } from './live/store';
import { devicePoints } from './map/device-points';
import { WallMap } from './map/WallMap';
import { formatWallParams, type WallParams } from './params';
import { DeviceRanking, AlertList } from './panels/DeviceRanking';
import { Header } from './panels/Header';
import { LevelLegend } from './panels/LevelLegend';
import { TrendChart } from './panels/TrendChart';

interface AppProps {
  store: WallStore;
  connection: WallConnection;
  registry: HookRegistry;
  initialParams: WallParams;
  config: Promise<WallConfig>;
}

export function App({ store, connection, registry, initialParams, config: configPromise }: AppProps) {
  const state = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const [params, setParams] = useState(initialParams);
  const [config, setConfig] = useState<WallConfig | undefined>();
  const { lang, kiosk, property } = params;
  const t = strings(lang);

  useEffect(() => {
    let live = true;
    void configPromise.then((value) => live && setConfig(value));
    return () => {
      live = false;
    };
  }, [configPromise]);

  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = t.title;
    registry.property = property;
    const search = formatWallParams(window.location.search, params);
    if (search !== window.location.search) window.history.replaceState(null, '', `${window.location.pathname}${search}${window.location.hash}`);
  }, [params, lang, property, registry, t.title]);

  const onLang = useCallback((next: Lang) => setParams((current) => ({ ...current, lang: next })), []);
  const onProperty = useCallback((next: SensorProperty) => setParams((current) => ({ ...current, property: next })), []);

  const points = useMemo(
    () => devicePoints(state, property, lang, Date.now()),
    [state.dataVersion, state.devices, property, lang],
  );
  const counts = useMemo(() => {
    const result = [0, 0, 0, 0, 0, 0];
    for (const point of points) result[point.level ?? 5] = (result[point.level ?? 5] ?? 0) + 1;
    return result;
  }, [points]);

  const ready = state.site !== undefined && config !== undefined;
  return (
    <div className={kiosk ? 'wall kiosk' : 'wall'}>
      <Header state={state} lang={lang} kiosk={kiosk} property={property} staleAfterMs={connection.staleAfterMs} onLang={onLang} onProperty={onProperty} />
      <main className="wall-main">
        <section className="map-area">
          {ready ? <WallMap state={state} config={config} property={property} lang={lang} kiosk={kiosk} store={store} registry={registry} /> : <div className="loading">{t.loading}</div>}
        </section>
        <aside className="side">
          <TrendChart state={state} property={property} lang={lang} registry={registry} />
          <LevelLegend property={property} lang={lang} counts={counts} />
          <DeviceRanking points={points} property={property} lang={lang} limit={6} />
          <AlertList alerts={state.alerts} lang={lang} />
        </aside>
      </main>
    </div>
  );
}
