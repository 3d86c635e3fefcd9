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

  constructor(
    /** A URL, or a function giving it at each poll (a query that follows the day). */
    readonly url: string | (() => string),
    private readonly parse: (body: unknown) => T,
    private readonly intervalMs: number,
  ) {}

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

  async #poll(): Promise<void> {
    if (this.#stopped) return;
    this.#controller = new AbortController();
    const timeout = setTimeout(() => this.#controller?.abort(), Math.max(2000, this.intervalMs));
    try {
      const response = await fetch(typeof this.url === 'function' ? this.url() : this.url, { cache: 'no-store', headers: { accept: 'application/json' }, signal: this.#controller.signal });
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        this.#set(feedFailed(this.#state, { httpStatus: response.status, message: `HTTP ${response.status}` }, Date.now()));
      } else {
        this.#set(feedReceived(this.#state, this.parse(await response.json()), Date.now()));
      }
    } catch (err) {
      if (!this.#stopped) this.#set(feedFailed(this.#state, { message: err instanceof Error ? err.message : String(err) }, Date.now()));
    } finally {
      clearTimeout(timeout);
    }
    if (this.#stopped) return;
    // An absent endpoint is asked again every minute, not at the data rate.
    this.#timer = setTimeout(() => void this.#poll(), this.#state.absent ? Math.max(60_000, this.intervalMs) : this.intervalMs);
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
