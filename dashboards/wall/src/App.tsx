import { useCallback, useEffect, useMemo, useState, useSyncExternalStore, type ReactNode } from 'react';
import type { SensorProperty } from '@ioc/schemas';
import type { HookRegistry } from './hooks';
import { strings, type Lang } from './i18n';
import type { WallConfig } from './live/config';
import type { WallConnection } from './live/connection';
import { useFeed, useNow } from './live/feed-poller';
import type { WallFeeds } from './live/feeds';
import type { PublicLive } from './live/public-live';
import type { WallStore } from './live/store';
import type { ValueStore } from './live/value-store';
import { layoutFor, type Layout } from './layout';
import { devicePoints } from './map/device-points';
import { WallMap } from './map/WallMap';
import { formatWallParams, type WallParams } from './params';
import { CameraStrip } from './panels/CameraStrip';
import { AlertList, DeviceRanking } from './panels/DeviceRanking';
import { Header } from './panels/Header';
import { UserMenu } from './UserMenu';
import { Kpis } from './panels/Kpis';
import { LevelLegend } from './panels/LevelLegend';
import { DossierGauges, FieldReports, IncidentsBySeverity, OverdueAgencies } from './panels/ServicePanels';
import { TrafficVolume, VehicleMix, ViolationsByRule } from './panels/TrafficPanels';
import { TrendChart } from './panels/TrendChart';
import { SCENES, initialRotation, pinScene, rotationTick, unpinScene, type PanelId, type SceneId } from './scenes';
import { withLiveCameraData } from './state/camera-live';
import { panelStatus } from './state/feeds';
import { summarizeFieldReports, summarizeIncidents, tickerRows } from './state/public-live';
import type { TrafficTally } from './state/traffic';

interface AppProps {
  store: WallStore;
  connection: WallConnection;
  registry: HookRegistry;
  initialParams: WallParams;
  config: Promise<WallConfig>;
  feeds: WallFeeds;
  tally: ValueStore<TrafficTally>;
  publicLive: PublicLive;
}

function useLayout(): Layout {
  const [layout, setLayout] = useState(() => layoutFor(window.innerWidth, window.innerHeight));
  useEffect(() => {
    const onResize = () => setLayout((current) => {
      const next = layoutFor(window.innerWidth, window.innerHeight);
      return next.kind === current.kind && next.scale === current.scale ? current : next;
    });
    window.addEventListener('resize', onResize);
    return () => window.removeEventListener('resize', onResize);
  }, []);
  return layout;
}

export function App({ store, connection, registry, initialParams, config: configPromise, feeds, tally: tallyStore, publicLive: publicLiveStore }: AppProps) {
  const state = useSyncExternalStore(store.subscribe, store.getSnapshot);
  const tally = useSyncExternalStore(tallyStore.subscribe, tallyStore.getSnapshot);
  const cameras = useFeed(feeds.cameras);
  const dossiers = useFeed(feeds.dossiers);
  const fieldReports = useFeed(feeds.fieldReports);
  const incidents = useFeed(feeds.incidents);
  const publicLive = useSyncExternalStore(publicLiveStore.subscribe, publicLiveStore.getSnapshot);
  const [params, setParams] = useState(initialParams);
  const [config, setConfig] = useState<WallConfig | undefined>();
  const [rotation, setRotation] = useState(() => initialRotation({ scene: initialParams.scene, intervalSeconds: initialParams.rotateSeconds }, Date.now()));
  const layout = useLayout();
  const nowMs = useNow(1000);
  const { lang, kiosk, property } = params;
  const t = strings(lang);
  const staleAfterMs = connection.staleAfterMs;

  useEffect(() => {
    let live = true;
    void configPromise.then((value) => live && setConfig(value));
    return () => {
      live = false;
    };
  }, [configPromise]);

  useEffect(() => {
    setRotation((current) => rotationTick(current, nowMs));
  }, [nowMs]);

  const onPin = useCallback((scene: SceneId) => {
    setRotation((current) => pinScene(current, scene, Date.now()));
    setParams((current) => ({ ...current, scene }));
  }, []);
  const onUnpin = useCallback(() => {
    setRotation((current) => unpinScene(current, Date.now()));
    setParams((current) => ({ ...current, scene: undefined }));
  }, []);
  const onCommit = useCallback(() => {
    registry.lastCommitAtMs = Date.now();
  }, [registry]);
  registry.scenes = { scene: rotation.scene, pinned: rotation.pinned, pin: onPin, unpin: onUnpin };

  useEffect(() => {
    document.documentElement.lang = lang;
    document.documentElement.dataset.layout = layout.kind;
    document.documentElement.style.setProperty('--scale', String(layout.scale));
    document.title = t.title;
    registry.property = property;
    const search = formatWallParams(window.location.search, params);
    if (search !== window.location.search) window.history.replaceState(null, '', `${window.location.pathname}${search}${window.location.hash}`);
  }, [params, lang, property, registry, t.title, layout]);

  const onLang = useCallback((next: Lang) => setParams((current) => ({ ...current, lang: next })), []);
  const onProperty = useCallback((next: SensorProperty) => setParams((current) => ({ ...current, property: next })), []);

  const ageingBucket = Math.floor(nowMs / 5000);
  const points = useMemo(() => devicePoints(state, property, lang, Date.now()), [state.dataVersion, state.devices, property, lang, ageingBucket]);
  const reportSummary = useMemo(() => summarizeFieldReports(publicLive.fieldReports, Date.now()), [publicLive.fieldReports, Math.floor(nowMs / 30_000)]);
  const incidentSummary = useMemo(() => summarizeIncidents(publicLive.incidents), [publicLive.incidents]);
  const ticker = useMemo(() => tickerRows(publicLive, state.alerts, Date.now()), [publicLive, state.alerts, Math.floor(nowMs / 30_000)]);
  const counts = useMemo(() => {
    const result = [0, 0, 0, 0, 0, 0];
    for (const point of points) result[point.level ?? 5] = (result[point.level ?? 5] ?? 0) + 1;
    return result;
  }, [points]);

  const scene = SCENES[rotation.scene];
  const scale = layout.scale;
  const lastLiveAtMs = state.lastMessageAtMs;
  // The polled camera list with the counts and states the cameras pushed over the socket since the last poll.
  const liveCameraList = useMemo(() => withLiveCameraData(cameras.data ?? [], state.cameraLive, cameras.lastOkAtMs), [cameras.data, cameras.lastOkAtMs, state.cameraLive]);
  const liveCameraFeed = useMemo(() => (cameras.data ? { ...cameras, data: liveCameraList } : cameras), [cameras, liveCameraList]);
  const cameraList = liveCameraList;
  const devicesReporting = Object.values(state.devices).filter((live) => live.device.deviceState !== 'offline' && Object.values(live.latest).some((latest) => latest && Date.now() - latest.observedAtMs < 3 * (live.device.reportIntervalSeconds ?? 60) * 1000)).length;

  const panel = (id: PanelId): ReactNode => {
    switch (id) {
      case 'kpis':
        return (
          <Kpis
            key={id}
            lang={lang}
            status={panelStatus({ hasData: state.snapshotAtMs !== undefined, lastDataAtMs: lastLiveAtMs }, nowMs, staleAfterMs)}
            lastDataAtMs={lastLiveAtMs}
            values={{
              devicesOnline: devicesReporting,
              devicesTotal: state.deviceIds.length,
              camerasOnline: cameras.data ? cameraList.filter((camera) => camera.state === 'online').length : undefined,
              camerasTotal: cameras.data ? cameraList.length : undefined,
              alerts: state.alerts.length,
              violationsToday: Object.values(state.violations.byRule).reduce((sum, count) => sum + count, 0),
            }}
          />
        );
      case 'trend':
        return <TrendChart key={id} state={state} property={property} lang={lang} registry={registry} scale={scale} staleAfterMs={staleAfterMs} nowMs={nowMs} />;
      case 'legend':
        return <LevelLegend key={id} property={property} lang={lang} counts={counts} />;
      case 'ranking':
        return <DeviceRanking key={id} points={points} property={property} lang={lang} lastDataAtMs={lastLiveAtMs} nowMs={nowMs} staleAfterMs={staleAfterMs} />;
      case 'alerts':
        return <AlertList key={id} rows={ticker} lang={lang} lastDataAtMs={lastLiveAtMs} nowMs={nowMs} staleAfterMs={staleAfterMs} />;
      case 'cameraStrip':
        return <CameraStrip key={id} feed={liveCameraFeed} lang={lang} nowMs={nowMs} limit={12} />;
      case 'trafficVolume':
        return <TrafficVolume key={id} tally={tally} cameras={cameras} lang={lang} scale={scale} registry={registry} nowMs={nowMs} />;
      case 'vehicleMix':
        return <VehicleMix key={id} tally={tally} cameras={cameras} lang={lang} scale={scale} registry={registry} nowMs={nowMs} />;
      case 'violationsByRule':
        return <ViolationsByRule key={id} log={state.violations} lang={lang} scale={scale} registry={registry} nowMs={nowMs} lastDataAtMs={lastLiveAtMs} staleAfterMs={staleAfterMs} />;
      case 'dossierGauges':
        return <DossierGauges key={id} feed={dossiers} lang={lang} nowMs={nowMs} scale={scale} registry={registry} />;
      case 'overdueAgencies':
        return <OverdueAgencies key={id} feed={dossiers} lang={lang} nowMs={nowMs} />;
      case 'fieldReports':
        return <FieldReports key={id} feed={fieldReports} summary={reportSummary} lang={lang} nowMs={nowMs} />;
      case 'incidentsBySeverity':
        return <IncidentsBySeverity key={id} feed={incidents} summary={incidentSummary} lang={lang} nowMs={nowMs} />;
    }
  };

  const ready = state.site !== undefined && config !== undefined;
  return (
    <div className={`wall layout-${layout.kind}${kiosk ? ' kiosk' : ''}`} data-scene={scene.id}>
      <Header state={state} lang={lang} kiosk={kiosk} property={property} staleAfterMs={staleAfterMs} onLang={onLang} onProperty={onProperty} rotation={rotation} onPin={onPin} onUnpin={onUnpin} onCommit={onCommit} />
      {!kiosk && <UserMenu lang={lang} className="wall-corner" />}
      <main className={`wall-main scene-${scene.id}`} style={{ ['--side-count' as string]: scene.side.length, ['--strip-count' as string]: scene.strip.length }}>
        <section className="map-area">
          {ready ? (
            <WallMap
              state={state}
              config={config}
              property={property}
              lang={lang}
              kiosk={kiosk}
              store={store}
              registry={registry}
              scene={scene}
              scale={scale}
              cameras={cameraList}
              publicLive={publicLive}
            />
          ) : (
            <div className="loading">{t.loading}</div>
          )}
        </section>
        <aside className="side">{scene.side.map(panel)}</aside>
        <aside className="strip">{scene.strip.map(panel)}</aside>
      </main>
    </div>
  );
}
