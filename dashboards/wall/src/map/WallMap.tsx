import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import maplibregl from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import { MapboxOverlay } from '@deck.gl/mapbox';
import { open311Service, type SensorProperty } from '@ioc/schemas';
import type { HookRegistry, PickedDevice } from '../hooks';
import { formatDateTime, strings, type Lang } from '../i18n';
import type { WallConfig } from '../live/config';
import type { WallStore } from '../live/store';
import { Snapshot, useSnapshotBucket } from '../panels/CameraStrip';
import type { SceneDefinition } from '../scenes';
import { fieldReportPhotoUrl } from '../live/feeds';
import type { FieldReportItem } from '../state/public-data';
import { fieldReportsOnMap, type PublicLiveState } from '../state/public-live';
import type { CameraInfo } from '../state/traffic';
import { violationCells, type ViolationPoint } from '../state/violations';
import type { WallState } from '../state/wall-state';
import { DISTRICTS_SOURCE, DISTRICT_LINE_LAYER, chooseStyle, districtLineLayer, districtsGeojson } from './basemap';
import { devicePoints, type DevicePoint } from './device-points';
import { boundsOf, contains, declutter } from './geometry';
import { DEVICE_LAYER_ID, VALUE_OFFSET_PIXELS, VALUE_SIZE_PIXELS, districtLabels, wallLayers } from './layers';
import { CAMERA_LAYER_ID, FIELD_REPORT_LAYER_ID, PULSE_WINDOW_MS, cameraPoints, choroplethFrom, liveLayers, seededRandom, type CameraPoint, type MarkerPoint, type RoadSegment } from './live-layers';

interface WallMapProps {
  state: WallState;
  config: WallConfig;
  property: SensorProperty;
  lang: Lang;
  kiosk: boolean;
  store: WallStore;
  registry: HookRegistry;
  scene: SceneDefinition;
  scale: number;
  cameras: readonly CameraInfo[];
  /** Field reports and incidents: polled lists with their live alerts applied (live/public-live.ts). */
  publicLive: PublicLiveState;
}

/** Device colours go grey when values age, violations fade: redraw that often even without new data. */
const AGEING_TICK_MS = 5000;
/** While a marker pulses (new incident or report), redraw at this rate instead. */
const PULSE_TICK_MS = 500;
const VIOLATION_HALF_LIFE_MS = 20 * 60_000;

const SEVERITY_RGB: Record<string, [number, number, number]> = { critical: [248, 113, 113], high: [251, 146, 60], medium: [252, 211, 77], low: [124, 181, 251], informational: [148, 163, 184] };
/** Field reports by triage status (the panel's colours): new violet, assigned blue, resolved green. */
const REPORT_STATUS_RGB: Record<FieldReportItem['status'], [number, number, number]> = { new: [196, 181, 253], assigned: [124, 181, 251], resolved: [74, 222, 128] };

/**
 * MapLibre for the basemap, deck.gl (MapboxOverlay) for what is live. The map is created once per site (and
 * scale); later state only swaps the overlay's layers (same ids, new data arrays). The scene says which deck.gl
 * layers are on.
 */
export function WallMap({ state, config, property, lang, kiosk, store, registry, scene, scale, cameras, publicLive }: WallMapProps) {
  const containerRef = useRef<HTMLDivElement>(null);
  const mapRef = useRef<maplibregl.Map | null>(null);
  const overlayRef = useRef<MapboxOverlay | null>(null);
  const layersHandedRef = useRef(false);
  const [loaded, setLoaded] = useState(false);
  const [tickMs, setTickMs] = useState(() => Date.now());
  /** Bumped when the view settles, so value labels are decluttered for what is on screen. */
  const [viewVersion, setViewVersion] = useState(0);
  const [openCameraId, setOpenCameraId] = useState<string | undefined>();
  const [openReportId, setOpenReportId] = useState<string | undefined>();
  const [benchViolations, setBenchViolations] = useState<ViolationPoint[]>([]);
  const [benchRoads, setBenchRoads] = useState<RoadSegment[]>([]);
  const site = state.site;
  const t = strings(lang);

  // The map itself: once (a wall does not change site without a reload).
  useEffect(() => {
    const container = containerRef.current;
    if (!container || !site) return;
    const choice = chooseStyle(config.basemap, site, window.location.href, scale);
    if (config.basemap.kind === 'pmtiles' && !choice.overlayDistricts) {
      console.warn('basemap kind pmtiles needs the pmtiles protocol, which the wall does not bundle; using the builtin basemap');
    }
    const map = new maplibregl.Map({
      container,
      style: choice.style,
      center: site.center,
      zoom: site.zoom,
      attributionControl: false,
      interactive: !kiosk,
      fadeDuration: 0,
      maxPitch: 0,
      dragRotate: false,
    });
    const overlay = new MapboxOverlay({
      interleaved: false,
      layers: [],
      // deck.gl applies new layers in its next frame, so a frame drawn after the hand-over shows them.
      onAfterRender: () => {
        if (layersHandedRef.current) registry.markReady('layers');
      },
    });
    map.addControl(overlay as unknown as maplibregl.IControl);
    map.on('load', () => {
      if (choice.overlayDistricts && !map.getSource(DISTRICTS_SOURCE)) {
        map.addSource(DISTRICTS_SOURCE, { type: 'geojson', data: districtsGeojson(site) as never });
        map.addLayer(districtLineLayer(scale));
      }
      setLoaded(true);
      map.once('idle', () => registry.markReady('map'));
    });
    map.on('moveend', () => setViewVersion((version) => version + 1));
    map.on('resize', () => setViewVersion((version) => version + 1));
    mapRef.current = map;
    overlayRef.current = overlay;

    const onScreen = (position: [number, number]) => {
      const point = map.project(position);
      const canvas = map.getCanvas();
      return point.x < 0 || point.y < 0 || point.x > canvas.clientWidth || point.y > canvas.clientHeight ? undefined : point;
    };
    registry.map = {
      pickDeviceAt(deviceId: string): PickedDevice | null {
        const live = store.state.devices[deviceId];
        if (!live) return null;
        const point = onScreen(live.device.location.coordinates as [number, number]);
        if (!point) return null;
        // Several devices can share a spot: ask for every object under the point and take the one asked for.
        const infos = overlay.pickMultipleObjects({ x: point.x, y: point.y, radius: 4, depth: 16, layerIds: [DEVICE_LAYER_ID] });
        const hit = infos.map((info) => info.object as DevicePoint | undefined).find((object) => object?.id === deviceId);
        if (!hit) return null;
        return hit.value === undefined ? { id: hit.id } : { id: hit.id, value: hit.value };
      },
      pickCameraAt(cameraId: string) {
        const camera = camerasRef.current.find((candidate) => candidate.id === cameraId);
        const point = camera ? onScreen(camera.position) : undefined;
        if (!point) return null;
        const infos = overlay.pickMultipleObjects({ x: point.x, y: point.y, radius: 4, depth: 16, layerIds: [CAMERA_LAYER_ID] });
        const hit = infos.map((info) => info.object as CameraPoint | undefined).find((object) => object?.id === cameraId);
        return hit ? { id: hit.id, state: hit.state, vehicles: hit.vehicles } : null;
      },
      openCamera(cameraId: string) {
        if (!camerasRef.current.some((camera) => camera.id === cameraId)) return false;
        setOpenCameraId(cameraId);
        return true;
      },
      pickFieldReportAt(reportId: string) {
        const marker = reportMarkersRef.current.find((candidate) => candidate.id === reportId);
        const point = marker ? onScreen(marker.position) : undefined;
        if (!point) return null;
        const infos = overlay.pickMultipleObjects({ x: point.x, y: point.y, radius: 4, depth: 16, layerIds: [FIELD_REPORT_LAYER_ID] });
        const hit = infos.map((info) => info.object as MarkerPoint | undefined).find((object) => object?.id === reportId);
        return hit ? { id: hit.id, x: point.x, y: point.y } : null;
      },
      openFieldReport(reportId: string) {
        if (!reportsRef.current[reportId]) return false;
        setOpenReportId(reportId);
        return true;
      },
    };

    const observer = new ResizeObserver(() => map.resize());
    observer.observe(container);
    return () => {
      observer.disconnect();
      registry.map = undefined;
      map.removeControl(overlay as unknown as maplibregl.IControl);
      map.remove();
      mapRef.current = null;
      overlayRef.current = null;
      layersHandedRef.current = false;
      setLoaded(false);
    };
    // Site, basemap and scale are fixed for the map's life; data flows through the layers below.
  }, [site === undefined, config.basemap, kiosk, scale]);

  // District outlines follow a new site from a resync without a new map.
  useEffect(() => {
    const map = mapRef.current;
    if (!loaded || !map || !site) return;
    const source = map.getSource(DISTRICTS_SOURCE) as maplibregl.GeoJSONSource | undefined;
    source?.setData(districtsGeojson(site) as never);
    if (!map.getLayer(DISTRICT_LINE_LAYER) && source) map.addLayer(districtLineLayer(scale));
  }, [loaded, site, scale]);

  const points = useMemo(
    () => devicePoints(state, property, lang, Date.now()),
    // dataVersion stands for devices/history; tickMs re-evaluates ageing.
    [state.dataVersion, state.devices, property, lang, Math.floor(tickMs / AGEING_TICK_MS)],
  );
  const labels = useMemo(() => (site ? districtLabels(site) : []), [site]);
  const cameraList = useMemo(() => cameraPoints(cameras), [cameras]);
  const camerasRef = useRef<CameraPoint[]>(cameraList);
  camerasRef.current = cameraList;

  const ageingBucket = Math.floor(tickMs / AGEING_TICK_MS);
  const incidentMarkers = useMemo<MarkerPoint[]>(
    () =>
      Object.values(publicLive.incidents).flatMap((incident) =>
        incident.position ? [{ id: incident.id, position: incident.position, startedAtMs: incident.openedAtMs, color: SEVERITY_RGB[incident.severity] ?? [148, 163, 184] }] : [],
      ),
    [publicLive.incidents],
  );
  const reportMarkers = useMemo<MarkerPoint[]>(
    () => fieldReportsOnMap(publicLive.fieldReports, Date.now()).map((report) => ({ id: report.id, position: report.position as [number, number], startedAtMs: report.requestedAtMs, color: REPORT_STATUS_RGB[report.status] })),
    // The ageing bucket lets resolved reports leave the map an hour after they were closed.
    [publicLive.fieldReports, ageingBucket],
  );
  const reportsRef = useRef(publicLive.fieldReports);
  reportsRef.current = publicLive.fieldReports;
  const reportMarkersRef = useRef<MarkerPoint[]>(reportMarkers);
  reportMarkersRef.current = reportMarkers;
  const visibleLayers = useMemo(() => new Set<string>(scene.layers), [scene]);
  const pulsing = [...incidentMarkers, ...reportMarkers].some((marker) => Date.now() - marker.startedAtMs < PULSE_WINDOW_MS) && (visibleLayers.has('incidents') || visibleLayers.has('fieldReports'));

  useEffect(() => {
    const timer = setInterval(() => setTickMs(Date.now()), pulsing ? PULSE_TICK_MS : AGEING_TICK_MS);
    return () => clearInterval(timer);
  }, [pulsing]);

  // Synthetic load for the benchmark (bench/wall-bench): points and segments spread over the site.
  useEffect(() => {
    if (!site) return;
    const bounds = boundsOf(site.districts.flatMap((district) => district.boundary)) ?? [
      [site.center[0] - 0.05, site.center[1] - 0.05],
      [site.center[0] + 0.05, site.center[1] + 0.05],
    ];
    const [[west, south], [east, north]] = bounds;
    registry.bench = {
      loadViolations(count, seed = 1) {
        const random = seededRandom(seed);
        const nowMs = Date.now();
        setBenchViolations(Array.from({ length: count }, () => ({ position: [west + random() * (east - west), south + random() * (north - south)], atMs: nowMs - random() * 3_600_000, rule: 'speeding' })));
      },
      loadRoadSegments(count, seed = 2) {
        const random = seededRandom(seed);
        const step = (east - west) / 200;
        setBenchRoads(
          Array.from({ length: count }, () => {
            const x = west + random() * (east - west);
            const y = south + random() * (north - south);
            return { path: [[x, y], [x + (random() - 0.5) * step, y + (random() - 0.5) * step], [x + (random() - 0.5) * 2 * step, y + (random() - 0.5) * 2 * step]], load: random() };
          }),
        );
      },
    };
    return () => {
      registry.bench = undefined;
    };
  }, [site, registry]);

  // Fit the site: start from its center/zoom; zoom in further when the districts and devices still fit (a wall
  // has no pixels to spare), and zoom out only as far as needed to keep every device on screen.
  const deviceKey = state.deviceIds.join('|');
  useEffect(() => {
    const map = mapRef.current;
    if (!loaded || !map || !site) return;
    const positions = Object.values(store.state.devices).map((live) => live.device.location.coordinates);
    const all = boundsOf([...positions, ...site.districts.flatMap((district) => district.boundary)]);
    if (!all) return;
    const fitted = map.cameraForBounds(all, { padding: 48 * scale });
    const viewBounds = map.getBounds();
    const view: [[number, number], [number, number]] = [
      [viewBounds.getWest(), viewBounds.getSouth()],
      [viewBounds.getEast(), viewBounds.getNorth()],
    ];
    const zoomIn = fitted?.zoom !== undefined && fitted.zoom > map.getZoom();
    const devicesHidden = !positions.every((position) => contains(view, position));
    if (fitted && (zoomIn || devicesHidden)) map.jumpTo({ center: fitted.center ?? site.center, zoom: fitted.zoom ?? site.zoom });
  }, [loaded, site, deviceKey, store, scale]);

  const onCameraClick = useCallback((camera: CameraPoint) => setOpenCameraId(camera.id), []);
  const onFieldReportClick = useCallback((marker: MarkerPoint) => setOpenReportId(marker.id), []);
  const violations = useMemo(() => (benchViolations.length > 0 ? state.violations.points.concat(benchViolations) : state.violations.points), [state.violations.points, benchViolations]);
  // Violations binned on a screen grid (≈ 12 px cells), re-binned when the view changes or every ageing tick.
  const cellPixels = 12 * scale;
  const zoom = mapRef.current?.getZoom() ?? site?.zoom ?? 12;
  const cells = useMemo(
    () => (visibleLayers.has('violations') ? violationCells(violations, Date.now(), VIOLATION_HALF_LIFE_MS, (cellPixels * 360) / (512 * 2 ** zoom)) : []),
    [violations, visibleLayers, Math.floor(tickMs / AGEING_TICK_MS), cellPixels, zoom],
  );
  const choropleth = useMemo(() => (site && scene.choropleth === 'violations' ? choroplethFrom(site, state.violations.byDistrict) : []), [site, scene.choropleth, state.violations.byDistrict]);

  useEffect(() => {
    const overlay = overlayRef.current;
    const map = mapRef.current;
    if (!loaded || !overlay || !map) return;
    const canvas = map.getCanvas();
    const showDevices = visibleLayers.has('devices');
    // Where several devices crowd a town centre, the highest (worst) values keep their labels.
    const valueLabels = showDevices
      ? declutter(
          points.filter((point) => point.label !== ''),
          (point) => {
            const at = map.project(point.position);
            if (at.x < 0 || at.y < 0 || at.x > canvas.clientWidth || at.y > canvas.clientHeight) return undefined;
            const height = VALUE_SIZE_PIXELS * scale;
            const width = point.label.length * 0.62 * height + 4;
            return { x: at.x - width / 2, y: at.y - VALUE_OFFSET_PIXELS * scale - height / 2, width, height };
          },
          (point) => (point.level ?? -1) * 1e6 + (point.value ?? 0),
        )
      : [];
    const live = liveLayers({
      visible: visibleLayers,
      scale,
      nowMs: tickMs,
      tickMs,
      cameras: cameraList,
      violationCells: cells,
      violationCellPixels: cellPixels,
      roads: benchRoads,
      choropleth,
      incidents: incidentMarkers,
      fieldReports: reportMarkers,
      onCameraClick,
      onFieldReportClick,
    });
    const base = wallLayers({ labels, points: showDevices ? points : [], valueLabels, scale });
    // District names under everything live; device dots and values above the live layers.
    overlay.setProps({ layers: [base[0], ...live, ...base.slice(1)] });
    registry.layerCounts = { devices: showDevices ? points.length : 0, cameras: visibleLayers.has('cameras') ? cameraList.length : 0, violations: visibleLayers.has('violations') ? violations.length : 0, violationCells: cells.length, roadSegments: visibleLayers.has('roadFlow') ? benchRoads.length : 0, incidents: incidentMarkers.length, fieldReports: reportMarkers.length };
    layersHandedRef.current = true;
  }, [loaded, labels, points, viewVersion, visibleLayers, scale, tickMs, cameraList, violations, cells, cellPixels, benchRoads, choropleth, incidentMarkers, reportMarkers, onCameraClick, onFieldReportClick]);

  const openCamera = cameraList.find((camera) => camera.id === openCameraId);
  const openReport = openReportId === undefined ? undefined : publicLive.fieldReports[openReportId];
  return (
    <>
      <div ref={containerRef} className="wall-map" aria-label="map" />
      {openCamera ? <CameraPopup camera={openCamera} lang={lang} onClose={() => setOpenCameraId(undefined)} closeLabel={t.close} stateLabel={t.cameraStates[openCamera.state]} /> : null}
      {openReport ? <FieldReportPopup report={openReport} lang={lang} onClose={() => setOpenReportId(undefined)} /> : null}
    </>
  );
}

/** The clicked camera's live (refreshing) annotated snapshot, in a card over the map's corner. */
function CameraPopup({ camera, lang, onClose, closeLabel, stateLabel }: { camera: CameraPoint; lang: Lang; onClose: () => void; closeLabel: string; stateLabel: string }) {
  const bucket = useSnapshotBucket();
  return (
    <div className="camera-popup" role="dialog" aria-label={camera.name} data-camera-popup={camera.id}>
      <div className="camera-popup-head">
        <span className="camera-popup-name">{camera.name}</span>
        <span className={`camera-popup-state camera-${camera.state}`}>{stateLabel}</span>
        <button type="button" className="switch camera-popup-close" onClick={onClose}>
          {closeLabel}
        </button>
      </div>
      <Snapshot cameraId={camera.id} bucketMs={bucket} alt={camera.name} lang={lang} />
    </div>
  );
}

/** A clicked field report: what was reported, where it stands, and the citizen's photo when there is one. */
function FieldReportPopup({ report, lang, onClose }: { report: FieldReportItem; lang: Lang; onClose: () => void }) {
  const t = strings(lang);
  const service = open311Service(report.serviceCode);
  const serviceName = service ? (lang === 'en' ? service.nameEn : service.nameVi) : report.serviceCode || '—';
  const title = report.description ?? serviceName;
  return (
    <div className="report-popup" role="dialog" aria-label={title} data-report-popup={report.id}>
      <div className="report-popup-head">
        <span className="report-popup-title">{title.length > 120 ? `${title.slice(0, 119)}…` : title}</span>
        <button type="button" className="switch report-popup-close" onClick={onClose}>
          {t.close}
        </button>
      </div>
      <dl className="report-popup-facts">
        <dt>{t.reportCard.service}</dt>
        <dd>{serviceName}</dd>
        <dt>{t.reportCard.status}</dt>
        <dd data-report-status={report.status}>{t.reportStatusesShort[report.status]}</dd>
        <dt>{t.reportCard.reportedAt}</dt>
        <dd>{formatDateTime(report.requestedAtMs)}</dd>
        {report.expectedAtMs !== undefined ? (
          <>
            <dt>{t.reportCard.due}</dt>
            <dd>{formatDateTime(report.expectedAtMs)}</dd>
          </>
        ) : null}
        {report.agency ? (
          <>
            <dt>{t.reportCard.agency}</dt>
            <dd>{report.agency}</dd>
          </>
        ) : null}
      </dl>
      {report.photoSha256 ? <img className="report-popup-photo" src={fieldReportPhotoUrl(report.photoSha256)} alt={t.reportCard.photo} /> : <span className="muted">{t.reportCard.noPhoto}</span>}
    </div>
  );
}
