/**
 * The watchdog's decision, kept pure so it is tested with numbers: a wall browser that stops drawing (a
 * render loop that died, a lost WebGL context, React unmounted by an error) must reload itself, but never in a
 * loop, and never because a hidden tab gets no animation frames.
 */
export interface WatchdogInput {
  nowMs: number;
  startedAtMs: number;
  /** Last requestAnimationFrame callback. */
  lastFrameAtMs: number;
  /** Last React commit of the clock (it commits every second while the app is alive). */
  lastCommitAtMs: number;
  documentHidden: boolean;
  webglContextLost: boolean;
  /** Reloads done by the watchdog in this browser session, and the last one's time (sessionStorage). */
  reloadCount: number;
  lastReloadAtMs: number | undefined;
}

export interface WatchdogSettings {
  /** No frame or no commit for this long: reload. */
  stallMs: number;
  /** After load, time to get going (fonts, first snapshot, map style). */
  startupGraceMs: number;
  /** The minimum gap between two reloads, doubling with each reload in a row (capped at `maxBackoffMs`). */
  minReloadGapMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_WATCHDOG_SETTINGS: WatchdogSettings = { stallMs: 30_000, startupGraceMs: 60_000, minReloadGapMs: 60_000, maxBackoffMs: 30 * 60_000 };

export type WatchdogDecision = { action: 'ok' } | { action: 'wait'; reason: string } | { action: 'reload'; reason: string };

export function watchdogDecision(input: WatchdogInput, settings: WatchdogSettings = DEFAULT_WATCHDOG_SETTINGS): WatchdogDecision {
  if (input.nowMs - input.startedAtMs < settings.startupGraceMs && !input.webglContextLost) return { action: 'ok' };
  let reason: string | undefined;
  if (input.webglContextLost) reason = 'WebGL context lost';
  else if (!input.documentHidden && input.nowMs - input.lastFrameAtMs > settings.stallMs) reason = `no animation frame for ${Math.round((input.nowMs - input.lastFrameAtMs) / 1000)} s`;
  else if (input.nowMs - input.lastCommitAtMs > settings.stallMs) reason = `no render for ${Math.round((input.nowMs - input.lastCommitAtMs) / 1000)} s`;
  if (!reason) return { action: 'ok' };
  const gapMs = Math.min(settings.maxBackoffMs, settings.minReloadGapMs * 2 ** Math.max(0, input.reloadCount - 1));
  if (input.lastReloadAtMs !== undefined && input.reloadCount > 0 && input.nowMs - input.lastReloadAtMs < gapMs) return { action: 'wait', reason: `${reason}; last reload too recent` };
  return { action: 'reload', reason };
}
