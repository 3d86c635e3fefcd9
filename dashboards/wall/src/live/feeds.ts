import { parseDossierSummary, parseFieldReports, parseIncidents, type DossierSummary, type FieldReportSummary, type IncidentSummary } from '../state/public-data';
import { parseCameras, vietnamDayStart, type CameraInfo } from '../state/traffic';
import { FeedPoller } from './feed-poller';

/**
 * The REST feeds the wall polls besides its live socket. Cameras and dossier KPIs exist; Open311 field
 * reports and incidents are still being built and answer 404 meanwhile — their panels say "no data yet" and
 * light up when the endpoints land (adjust the URLs here if they land elsewhere).
 */
export const FEED_URLS = {
  cameras: '/api/v1/cameras',
  /** Today's dossier KPIs per agency (packages/api/src/dossiers.ts); `from` is the start of the Vietnam day. */
  dossiers: '/api/v1/dossiers/kpis?groupBy=agency',
  fieldReports: '/api/v1/open311/requests.json',
  incidents: '/api/v1/incidents',
} as const;

export interface WallFeeds {
  cameras: FeedPoller<CameraInfo[]>;
  dossiers: FeedPoller<DossierSummary>;
  fieldReports: FeedPoller<FieldReportSummary>;
  incidents: FeedPoller<IncidentSummary>;
}

export function createFeeds(): WallFeeds {
  return {
    cameras: new FeedPoller(FEED_URLS.cameras, parseCameras, 5000),
    dossiers: new FeedPoller(() => `${FEED_URLS.dossiers}&from=${vietnamDayStart(Date.now())}`, parseDossierSummary, 30_000),
    fieldReports: new FeedPoller(FEED_URLS.fieldReports, (body) => parseFieldReports(body, Date.now()), 15_000),
    incidents: new FeedPoller(FEED_URLS.incidents, parseIncidents, 10_000),
  };
}
