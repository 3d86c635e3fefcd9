/**
 * A feed is a REST resource the wall polls (cameras, dossier KPIs, incidents…). Its state says whether the
 * server has the resource at all (`absent`: 404, the endpoint is not there yet — "no data yet"), whether data
 * arrived, and when; a panel turns that into what it shows (`feedView`). Pure, like the wall state.
 */
export interface FeedState<T> {
  data: T | undefined;
  /** The endpoint answered 404/501: the server does not offer this data (yet). */
  absent: boolean;
  lastOkAtMs: number | undefined;
  lastAttemptAtMs: number | undefined;
  lastError: string | undefined;
  /** Bumped on every change, for cheap change detection. */
  version: number;
}

export function initialFeed<T>(): FeedState<T> {
  return { data: undefined, absent: false, lastOkAtMs: undefined, lastAttemptAtMs: undefined, lastError: undefined, version: 0 };
}

export function feedReceived<T>(feed: FeedState<T>, data: T, nowMs: number): FeedState<T> {
  return { data, absent: false, lastOkAtMs: nowMs, lastAttemptAtMs: nowMs, lastError: undefined, version: feed.version + 1 };
}

/** A failed poll keeps the last data (the panel marks it stale once it is old). */
export function feedFailed<T>(feed: FeedState<T>, failure: { httpStatus?: number; message: string }, nowMs: number): FeedState<T> {
  const absent = failure.httpStatus === 404 || failure.httpStatus === 501;
  return { ...feed, absent: absent && feed.data === undefined, lastAttemptAtMs: nowMs, lastError: failure.message, version: feed.version + 1 };
}

/**
 * What a panel shows: `data`; `empty` — no data yet (endpoint absent or empty answer); `stale` — data, but none
 * arrived for `staleAfterMs`; `loading` before the first answer; `error` when the endpoint fails with no data.
 */
export type PanelStatus = 'data' | 'empty' | 'stale' | 'loading' | 'error';

export function panelStatus(input: { hasData: boolean; lastDataAtMs: number | undefined; absent?: boolean; failed?: boolean; attempted?: boolean }, nowMs: number, staleAfterMs: number): PanelStatus {
  if (input.hasData) return input.lastDataAtMs !== undefined && nowMs - input.lastDataAtMs > staleAfterMs ? 'stale' : 'data';
  if (input.absent) return 'empty';
  if (input.failed) return 'error';
  return input.attempted === false ? 'loading' : 'empty';
}

export function feedStatus<T>(feed: FeedState<T>, hasData: (data: T) => boolean, nowMs: number, staleAfterMs: number): PanelStatus {
  return panelStatus(
    {
      hasData: feed.data !== undefined && hasData(feed.data),
      lastDataAtMs: feed.lastOkAtMs,
      absent: feed.absent,
      failed: feed.lastError !== undefined && feed.lastOkAtMs === undefined,
      attempted: feed.lastAttemptAtMs !== undefined,
    },
    nowMs,
    staleAfterMs,
  );
}
