import type { Alert, WallDeltaBatch } from '@ioc/schemas';
import { applyFieldReportPoll, applyIncidentPoll, applyLiveAlerts, initialPublicLive, type PublicLiveState } from '../state/public-live';
import type { WallFeeds } from './feeds';

/**
 * Field reports and incidents for the views: each poll of their lists, and the live alerts between polls
 * (`state/public-live.ts`). A live alert also brings its list's next poll forward (at most one request per
 * couple of seconds however many arrive), so what the alert does not carry — triage status, due time, photo,
 * acknowledgement — follows shortly. Views are told at most every `minIntervalMs`, like the wall store.
 */
export class PublicLive {
  #state: PublicLiveState = initialPublicLive();
  #published: PublicLiveState = this.#state;
  readonly #listeners = new Set<() => void>();
  /** When a live alert last touched each report / incident (a poll sent before that must not undo it). */
  #reportTouchedAtMs: Record<string, number> = {};
  #incidentTouchedAtMs: Record<string, number> = {};
  #timer: ReturnType<typeof setTimeout> | undefined;
  readonly #unsubscribe: Array<() => void> = [];

  constructor(
    private readonly feeds: Pick<WallFeeds, 'fieldReports' | 'incidents'>,
    private readonly minIntervalMs = 250,
  ) {}

  get state(): PublicLiveState {
    return this.#state;
  }

  /** Follows the two pollers and the connection's delta batches. */
  start(connection: { onBatch(listener: (batch: WallDeltaBatch) => void): () => void }): void {
    const { fieldReports, incidents } = this.feeds;
    let reportVersion = -1;
    let incidentVersion = -1;
    this.#unsubscribe.push(
      fieldReports.subscribe(() => {
        const feed = fieldReports.state;
        if (!feed.data || feed.lastAttemptAtMs !== feed.lastOkAtMs || feed.version === reportVersion) return;
        reportVersion = feed.version;
        this.#reportTouchedAtMs = pruneTouched(this.#reportTouchedAtMs, fieldReports.dataRequestedAtMs);
        this.#set(applyFieldReportPoll(this.#state, feed.data, this.#reportTouchedAtMs, fieldReports.dataRequestedAtMs));
      }),
      incidents.subscribe(() => {
        const feed = incidents.state;
        if (!feed.data || feed.lastAttemptAtMs !== feed.lastOkAtMs || feed.version === incidentVersion) return;
        incidentVersion = feed.version;
        this.#incidentTouchedAtMs = pruneTouched(this.#incidentTouchedAtMs, incidents.dataRequestedAtMs);
        this.#set(applyIncidentPoll(this.#state, feed.data, this.#incidentTouchedAtMs, incidents.dataRequestedAtMs));
      }),
      connection.onBatch((batch) => {
        let alerts: Alert[] | undefined;
        for (const event of batch.events) if (event.type === 'alert.raised') (alerts ??= []).push(event.alert);
        if (alerts) this.applyAlerts(alerts);
      }),
    );
  }

  stop(): void {
    for (const unsubscribe of this.#unsubscribe.splice(0)) unsubscribe();
    if (this.#timer) clearTimeout(this.#timer);
  }

  applyAlerts(alerts: readonly Alert[]): void {
    const result = applyLiveAlerts(this.#state, alerts);
    if (result.state === this.#state) return;
    const nowMs = Date.now();
    for (const id of result.fieldReportIds) this.#reportTouchedAtMs[id] = nowMs;
    for (const id of result.incidentIds) this.#incidentTouchedAtMs[id] = nowMs;
    this.#set(result.state);
    if (result.fieldReportIds.length > 0) this.feeds.fieldReports.refreshSoon();
    if (result.incidentIds.length > 0) this.feeds.incidents.refreshSoon();
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getSnapshot = (): PublicLiveState => this.#published;

  #set(next: PublicLiveState): void {
    this.#state = next;
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#published === this.#state) return;
      this.#published = this.#state;
      for (const listener of this.#listeners) listener();
    }, this.minIntervalMs);
  }
}

/** Touch times older than the data now held no longer matter (keeps the maps from growing for days). */
function pruneTouched(touched: Record<string, number>, polledAtMs: number): Record<string, number> {
  const next: Record<string, number> = {};
  for (const [id, atMs] of Object.entries(touched)) if (atMs > polledAtMs) next[id] = atMs;
  return next;
}
