import { useEffect, useRef, useState } from 'react';
import { strings, type Lang } from '../i18n';
import type { FeedState } from '../state/feeds';
import { feedStatus } from '../state/feeds';
import { cameraCountLabel, cameraVehicleTotal } from '../state/camera-live';
import type { CameraInfo } from '../state/traffic';
import { Panel, useFitChildren } from './Panel';

export const SNAPSHOT_REFRESH_MS = 5000;

/** The camera's annotated snapshot URL, with a time bucket so the browser fetches a fresh one. */
export function snapshotUrl(cameraId: string, bucketMs: number): string {
  return `/api/v1/cameras/${encodeURIComponent(cameraId)}/snapshot.jpg?t=${bucketMs}`;
}

/** A changing time bucket, every `intervalMs`. */
export function useSnapshotBucket(intervalMs = SNAPSHOT_REFRESH_MS): number {
  const [bucket, setBucket] = useState(() => Math.floor(Date.now() / intervalMs) * intervalMs);
  useEffect(() => {
    const timer = setInterval(() => setBucket(Math.floor(Date.now() / intervalMs) * intervalMs), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return bucket;
}

/** A snapshot image that keeps the previous frame on screen until the next one has loaded (no flicker, no broken icon). */
export function Snapshot({ cameraId, bucketMs, alt, lang }: { cameraId: string; bucketMs: number; alt: string; lang: Lang }) {
  const [shown, setShown] = useState<string | undefined>();
  const [failed, setFailed] = useState(false);
  const wanted = snapshotUrl(cameraId, bucketMs);
  useEffect(() => {
    let live = true;
    const image = new Image();
    image.onload = () => {
      if (!live) return;
      setShown(wanted);
      setFailed(false);
    };
    image.onerror = () => live && setFailed(true);
    image.src = wanted;
    return () => {
      live = false;
      image.onload = null;
      image.onerror = null;
    };
  }, [wanted]);
  if (!shown) return <div className="snapshot-missing">{failed ? strings(lang).noSnapshot : strings(lang).loading}</div>;
  return <img className="snapshot" src={shown} alt={alt} draggable={false} />;
}

/** A strip of the online cameras' latest annotated frames; offline cameras after them with their state. */
export function CameraStrip({ feed, lang, nowMs, limit }: { feed: FeedState<CameraInfo[]>; lang: Lang; nowMs: number; limit: number }) {
  const t = strings(lang);
  const bucket = useSnapshotBucket();
  const cameras = [...(feed.data ?? [])].sort((a, b) => Number(b.state === 'online') - Number(a.state === 'online') || a.name.localeCompare(b.name)).slice(0, limit);
  const status = feedStatus(feed, (data) => data.length > 0, nowMs, 20_000);
  const stripRef = useRef<HTMLDivElement>(null);
  useFitChildren(stripRef, cameras.map((camera) => camera.id).join('|'));
  return (
    <Panel id="cameraStrip" lang={lang} status={status} lastDataAtMs={feed.lastOkAtMs}>
      <div className="camera-strip" ref={stripRef}>
        {cameras.map((camera) => (
          <figure key={camera.id} className={`camera-tile camera-${camera.state}`} data-camera-id={camera.id}>
            {camera.state === 'online' ? <Snapshot cameraId={camera.id} bucketMs={bucket} alt={camera.name} lang={lang} /> : <div className="snapshot-missing">{t.cameraStates[camera.state]}</div>}
            <figcaption className="camera-name">
              {camera.name}
              {cameraVehicleTotal(camera) > 0 ? <span className="camera-count" data-camera-count={cameraVehicleTotal(camera)}>{t.cameraCounted(cameraCountLabel(cameraVehicleTotal(camera)))}</span> : null}
            </figcaption>
          </figure>
        ))}
      </div>
    </Panel>
  );
}
