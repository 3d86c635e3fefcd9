import { describe, expect, it } from 'vitest';
import { watchdogDecision, type WatchdogInput } from './watchdog';

const T = 10_000_000;
const healthy: WatchdogInput = { nowMs: T, startedAtMs: T - 300_000, lastFrameAtMs: T - 16, lastCommitAtMs: T - 900, documentHidden: false, webglContextLost: false, reloadCount: 0, lastReloadAtMs: undefined };

describe('watchdogDecision', () => {
  const cases: Array<{ name: string; input: Partial<WatchdogInput>; expected: string; reason?: RegExp }> = [
    { name: 'drawing and rendering: ok', input: {}, expected: 'ok' },
    { name: 'no frame for 31 s: reload', input: { lastFrameAtMs: T - 31_000 }, expected: 'reload', reason: /no animation frame for 31 s/ },
    { name: 'no frame but the tab is hidden: ok', input: { lastFrameAtMs: T - 31_000, documentHidden: true }, expected: 'ok' },
    { name: 'frames but React stopped committing: reload', input: { lastCommitAtMs: T - 40_000 }, expected: 'reload', reason: /no render/ },
    { name: 'lost WebGL context: reload', input: { webglContextLost: true }, expected: 'reload', reason: /WebGL/ },
    { name: 'lost WebGL context during start-up: reload', input: { webglContextLost: true, startedAtMs: T - 1000 }, expected: 'reload' },
    { name: 'stalled during start-up grace: ok', input: { startedAtMs: T - 30_000, lastFrameAtMs: T - 29_000, lastCommitAtMs: T - 29_000 }, expected: 'ok' },
    { name: 'reloaded 30 s ago (first reload): wait', input: { lastFrameAtMs: T - 31_000, reloadCount: 1, lastReloadAtMs: T - 30_000 }, expected: 'wait' },
    { name: 'reloaded 90 s ago (first reload): reload', input: { lastFrameAtMs: T - 31_000, reloadCount: 1, lastReloadAtMs: T - 90_000 }, expected: 'reload' },
    { name: 'third reload in a row backs off to 4 min', input: { lastFrameAtMs: T - 31_000, reloadCount: 3, lastReloadAtMs: T - 200_000 }, expected: 'wait' },
  ];
  it.each(cases)('$name', ({ input, expected, reason }) => {
    const decision = watchdogDecision({ ...healthy, ...input });
    expect(decision.action).toBe(expected);
    if (reason && decision.action !== 'ok') expect(decision.reason).toMatch(reason);
  });
});
