import { parseDossierSummary, parseFieldReportLists, parseIncidents, type DossierSummary, type FieldReportItem, type IncidentItem } from '../state/public-data';
import { parseCameras, vietnamDayStart, type CameraInfo } from '../state/traffic';
import { FeedPoller } from './feed-poller';

/**
 * The REST feeds the wall polls besides its live socket. Field reports and incidents also change live: their
 * alerts on the socket update the view at once and bring the next poll forward (`live/public-live.ts`).
 */
export const FEED_URLS = {
  cameras: '/api/v1/cameras',
  /** Today's dossier KPIs per agency (packages/api/src/dossiers.ts); `from` is the start of the Vietnam day. */
  dossiers: '/api/v1/dossiers/kpis?groupBy=agency',
  /**
   * The operator list (packages/api/src/open311-field-reports.ts), not Open311's public `requests.json`: the
   * wall needs the triage status (new / assigned / resolved) and the due time, which GeoReport v2 folds into
   * open / closed. Open reports of both kinds, and the latest resolved ones (for "resolved today").
   */
  fieldReports: ['/api/v1/field-reports?status=new&limit=1000', '/api/v1/field-reports?status=assigned&limit=1000', '/api/v1/field-reports?status=resolved&limit=300'],
  /** Open system incidents with their acknowledgement (packages/api/src/incidents.ts). */
  incidents: '/api/v1/incidents',
} as const;

/** Photos of field reports, re-encoded without EXIF (packages/api/src/open311.ts `GET media/{sha256}.jpg`). */
export function fieldReportPhotoUrl(sha256: string): string {
  return `/open311/v2/media/${sha256}.jpg`;
}

export interface WallFeeds {
  cameras: FeedPoller<CameraInfo[]>;
  dossiers: FeedPoller<DossierSummary>;
  fieldReports: FeedPoller<FieldReportItem[]>;
  incidents: FeedPoller<IncidentItem[]>;
}

export function createFeeds(): WallFeeds {
  return {
    cameras: new FeedPoller(FEED_URLS.cameras, parseCameras, 5000),
    dossiers: new FeedPoller(() => `${FEED_URLS.dossiers}&from=${vietnamDayStart(Date.now())}`, parseDossierSummary, 30_000),
    fieldReports: new FeedPoller(() => [...FEED_URLS.fieldReports], (bodies) => parseFieldReportLists(Array.isArray(bodies) ? bodies : [bodies]), 30_000),
    incidents: new FeedPoller(FEED_URLS.incidents, parseIncidents, 15_000),
  };
}
