import type { HookRegistry } from '../hooks';
import { DEFAULT_WATCHDOG_SETTINGS, watchdogDecision, type WatchdogSettings } from '../watchdog';

const STORAGE_KEY = 'ioc-wall-watchdog';

interface ReloadRecord {
  count: number;
  lastAtMs: number;
}

function readRecord(): ReloadRecord {
  try {
    const parsed = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null') as ReloadRecord | null;
    if (parsed && typeof parsed.count === 'number' && typeof parsed.lastAtMs === 'number') return parsed;
  } catch {
    // Storage unavailable or corrupt: start counting afresh.
  }
  return { count: 0, lastAtMs: 0 };
}

/**
 * Runs the watchdog: an animation-frame heartbeat, the clock's commits (registry.lastCommitAtMs), WebGL
 * context loss on any canvas, checked every 5 s by `watchdogDecision`. A page that stays healthy for the longest
 * back-off resets the reload count. A fully hung main thread cannot reload itself; that is the kiosk
 * supervisor's job (see README).
 */
export function installWatchdog(registry: HookRegistry, settings: WatchdogSettings = DEFAULT_WATCHDOG_SETTINGS): () => void {
  const startedAtMs = Date.now();
  let lastFrameAtMs = Date.now();
  let contextLost = false;
  let frame = 0;
  const record = readRecord();
  registry.watchdog.reloads = record.count;
  const onFrame = () => {
    lastFrameAtMs = Date.now();
    frame = requestAnimationFrame(onFrame);
  };
  frame = requestAnimationFrame(onFrame);
  const onContextLost = () => {
    contextLost = true;
  };
  // webglcontextlost does not bubble; capture sees it on its way to the canvas.
  document.addEventListener('webglcontextlost', onContextLost, true);
  const timer = setInterval(() => {
    const nowMs = Date.now();
    const decision = watchdogDecision(
      {
        nowMs,
        startedAtMs,
        lastFrameAtMs,
        lastCommitAtMs: registry.lastCommitAtMs,
        documentHidden: document.visibilityState === 'hidden',
        webglContextLost: contextLost,
        reloadCount: record.count,
        lastReloadAtMs: record.count > 0 ? record.lastAtMs : undefined,
      },
      settings,
    );
    registry.watchdog.lastDecision = decision.action === 'ok' ? 'ok' : `${decision.action}: ${decision.reason}`;
    if (decision.action === 'reload') {
      try {
        sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ count: record.count + 1, lastAtMs: nowMs }));
      } catch {
        // Reload anyway.
      }
      console.warn(`wall watchdog: reloading (${decision.reason})`);
      window.location.reload();
    } else if (decision.action === 'ok' && record.count > 0 && nowMs - startedAtMs > settings.maxBackoffMs) {
      record.count = 0;
      sessionStorage.removeItem(STORAGE_KEY);
    }
  }, 5000);
  return () => {
    cancelAnimationFrame(frame);
    clearInterval(timer);
    document.removeEventListener('webglcontextlost', onContextLost, true);
  };
}
