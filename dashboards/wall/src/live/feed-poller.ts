import { apiFetch } from '../session';
import { useEffect, useState, useSyncExternalStore } from 'react';
import { feedFailed, feedReceived, initialFeed, type FeedState } from '../state/feeds';

/**
 * Polls one REST resource and keeps its `FeedState`. A 404 marks it absent (the server does not offer it yet:
 * the panel says "no data yet" and keeps asking, slowly, so it lights up when the endpoint lands).
 */
export class FeedPoller<T> {
  #state: FeedState<T> = initialFeed<T>();
  readonly #listeners = new Set<() => void>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #stopped = true;
  #controller: AbortController | undefined;
  #inFlight = false;
  #refreshAfterMs: number | undefined;
  #lastPollStartMs = -Infinity;
  /** When the data now held was asked for (a live update newer than this wins over it). */
  #dataRequestedAtMs = 0;

  constructor(
    /**
     * A URL, or a function giving it at each poll (a query that follows the day), or several: then all are
     * fetched and `parse` gets the array of their bodies.
     */
    readonly url: string | (() => string | string[]),
    private readonly parse: (body: unknown) => T,
    private readonly intervalMs: number,
  ) {}

  get dataRequestedAtMs(): number {
    return this.#dataRequestedAtMs;
  }

  get state(): FeedState<T> {
    return this.#state;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  getSnapshot = (): FeedState<T> => this.#state;

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    void this.#poll();
  }

  stop(): void {
    this.#stopped = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#controller?.abort();
  }

  /**
   * Poll again soon (a live event said the data changed), but no sooner than `minGapMs` after the last poll
   * started: a burst of events costs one request, not one each.
   */
  refreshSoon(minGapMs = 2000): void {
    if (this.#stopped) return;
    if (this.#inFlight) {
      // The answer on its way may predate the change: ask once more after it.
      this.#refreshAfterMs = minGapMs;
      return;
    }
    const dueMs = Math.max(0, this.#lastPollStartMs + minGapMs - performance.now());
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#poll(), dueMs);
  }

  async #poll(): Promise<void> {
    if (this.#stopped || this.#inFlight) return;
    this.#inFlight = true;
    this.#lastPollStartMs = performance.now();
    const requestedAtMs = Date.now();
    this.#controller = new AbortController();
    const signal = this.#controller.signal;
    const timeout = setTimeout(() => this.#controller?.abort(), Math.max(2000, this.intervalMs));
    try {
      const target = typeof this.url === 'function' ? this.url() : this.url;
      const urls = Array.isArray(target) ? target : [target];
      const responses = await Promise.all(urls.map((url) => apiFetch(url, { cache: 'no-store', headers: { accept: 'application/json' }, signal })));
      const failed = responses.find((response) => !response.ok);
      if (failed) {
        await Promise.all(responses.map((response) => response.body?.cancel().catch(() => undefined)));
        this.#set(feedFailed(this.#state, { httpStatus: failed.status, message: `HTTP ${failed.status}` }, Date.now()));
      } else {
        const bodies: unknown[] = await Promise.all(responses.map((response) => response.json()));
        const data = this.parse(Array.isArray(target) ? bodies : bodies[0]);
        this.#dataRequestedAtMs = requestedAtMs;
        this.#set(feedReceived(this.#state, data, Date.now()));
      }
    } catch (err) {
      if (!this.#stopped) this.#set(feedFailed(this.#state, { message: err instanceof Error ? err.message : String(err) }, Date.now()));
    } finally {
      clearTimeout(timeout);
      this.#inFlight = false;
    }
    if (this.#stopped) return;
    if (this.#timer) clearTimeout(this.#timer);
    const refreshAfterMs = this.#refreshAfterMs;
    this.#refreshAfterMs = undefined;
    // An absent endpoint is asked again every minute, not at the data rate.
    this.#timer = setTimeout(() => void this.#poll(), refreshAfterMs ?? (this.#state.absent ? Math.max(60_000, this.intervalMs) : this.intervalMs));
  }

  #set(next: FeedState<T>): void {
    this.#state = next;
    for (const listener of this.#listeners) listener();
  }
}

export function useFeed<T>(poller: FeedPoller<T>): FeedState<T> {
  useEffect(() => {
    poller.start();
  }, [poller]);
  return useSyncExternalStore(poller.subscribe, poller.getSnapshot);
}

/** The current time, refreshed every `intervalMs` (stale badges, decay, clocks). */
export function useNow(intervalMs: number): number {
  const [nowMs, setNowMs] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNowMs(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return nowMs;
}
