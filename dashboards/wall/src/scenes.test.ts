import { describe, expect, it } from 'vitest';
import { PANEL_IDS, SCENES, SCENE_IDS, initialRotation, msUntilNextScene, pinScene, rotationTick, unpinScene } from './scenes';

describe('scenes', () => {
  it('every panel appears in some scene, and no scene repeats a panel', () => {
    const used = new Set(SCENE_IDS.flatMap((id) => [...SCENES[id].side, ...SCENES[id].strip]));
    expect([...used].sort()).toEqual([...PANEL_IDS].sort());
    for (const id of SCENE_IDS) {
      const panels = [...SCENES[id].side, ...SCENES[id].strip];
      expect(new Set(panels).size).toBe(panels.length);
    }
  });
});

describe('rotation', () => {
  const T0 = 1_000_000;
  const cases = [
    { name: 'before the interval: same scene', steps: [{ atMs: T0 + 59_000 }], expected: ['overview'] },
    { name: 'after each interval: the next scene', steps: [{ atMs: T0 + 60_000 }, { atMs: T0 + 120_000 }, { atMs: T0 + 180_000 }, { atMs: T0 + 240_000 }], expected: ['traffic', 'publicServices', 'incidents', 'overview'] },
    { name: 'a long sleep moves one scene only', steps: [{ atMs: T0 + 600_000 }], expected: ['traffic'] },
    { name: 'pinned: stays', steps: [{ atMs: T0 + 1000, pin: 'incidents' as const }, { atMs: T0 + 200_000 }], expected: ['incidents', 'incidents'] },
    { name: 'unpinned: a full interval, then on', steps: [{ atMs: T0 + 1000, pin: 'traffic' as const }, { atMs: T0 + 100_000, unpin: true }, { atMs: T0 + 150_000 }, { atMs: T0 + 160_000 }], expected: ['traffic', 'traffic', 'traffic', 'publicServices'] },
  ];
  it.each(cases)('$name', ({ steps, expected }) => {
    let rotation = initialRotation({ intervalSeconds: 60 }, T0);
    const seen: string[] = [];
    for (const step of steps as Array<{ atMs: number; pin?: 'traffic' | 'incidents'; unpin?: boolean }>) {
      if (step.pin) rotation = pinScene(rotation, step.pin, step.atMs);
      else if (step.unpin) rotation = unpinScene(rotation, step.atMs);
      else rotation = rotationTick(rotation, step.atMs);
      seen.push(rotation.scene);
    }
    expect(seen).toEqual(expected);
  });

  it('a scene in the URL pins it; rotate=0 never moves', () => {
    expect(initialRotation({ scene: 'traffic', intervalSeconds: 60 }, T0)).toMatchObject({ scene: 'traffic', pinned: true });
    const still = initialRotation({ intervalSeconds: 0 }, T0);
    expect(rotationTick(still, T0 + 1e9).scene).toBe('overview');
    expect(msUntilNextScene(still, T0)).toBeUndefined();
    expect(msUntilNextScene(initialRotation({ intervalSeconds: 60 }, T0), T0 + 15_000)).toBe(45_000);
  });
});
