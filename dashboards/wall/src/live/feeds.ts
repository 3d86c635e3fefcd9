import { parseDossierSummary, parseFieldReports, parseIncidents, type DossierSummary, type FieldReportSummary, type IncidentSummary } from '../state/public-data';
import { parseCameras, type CameraInfo } from '../state/traffic';
import { FeedPoller } from './feed-poller';

/**
 * The REST feeds the wall polls besides its live socket. Endpoints other parts of the system are still
 * building answer 404 meanwhile; their panels say "no data yet" until they do.
 */
export const FEED_URLS = {
  cameras: '/api/v1/cameras',
  dossiers: '/api/v1/dossiers/kpis',
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
    dossiers: new FeedPoller(FEED_URLS.dossiers, parseDossierSummary, 30_000),
    fieldReports: new FeedPoller(FEED_URLS.fieldReports, (body) => parseFieldReports(body, Date.now()), 15_000),
    incidents: new FeedPoller(FEED_URLS.incidents, parseIncidents, 10_000),
  };
}
