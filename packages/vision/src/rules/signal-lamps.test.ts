import { describe, expect, it } from 'vitest';
import { classifySignalLamps, lampLitScore, type LampColour, type LampRectangle, type RgbFrame } from './signal-lamps';
import { SignalStateSmoother, SignalTimeline } from './signal-smoother';
import type { SignalState } from './rule-types';

type Rgb = readonly [number, number, number];

/**
 * Synthetic signal heads: a 60×100 frame of grey street, a dark housing, three 16×16 lamp squares stacked at
 * y 10, 40 and 70. A lit lamp is drawn as a disc: an overexposed centre (white or yellow, as a camera clips
 * bright LEDs) inside a halo of the lamp's colour; an unlit lamp is a dull version of its colour.
 */
const WIDTH = 60;
const HEIGHT = 100;
const LAMPS: Record<LampColour, LampRectangle> = {
  red: { x1: 20, y1: 10, x2: 36, y2: 26 },
  amber: { x1: 20, y1: 40, x2: 36, y2: 56 },
  green: { x1: 20, y1: 70, x2: 36, y2: 86 },
};
const HALO: Record<LampColour, Rgb> = { red: [235, 30, 60], amber: [255, 150, 30], green: [20, 220, 190] };
const UNLIT: Record<LampColour, Rgb> = { red: [60, 25, 25], amber: [60, 45, 25], green: [25, 50, 45] };

interface LampDrawing {
  colour: LampColour;
  lit: boolean;
  /** Colour of the clipped centre of a lit lamp. */
  centre?: Rgb;
  /** Radius of the clipped centre, pixels (the halo fills the rest of the 8 px disc). */
  centreRadius?: number;
}

function frameWith(lamps: readonly LampDrawing[], background: Rgb = [120, 120, 125]): RgbFrame {
  const rgb = new Uint8Array(WIDTH * HEIGHT * 3);
  const paint = (x: number, y: number, colour: Rgb): void => rgb.set(colour, (y * WIDTH + x) * 3);
  for (let y = 0; y < HEIGHT; y += 1) for (let x = 0; x < WIDTH; x += 1) paint(x, y, x >= 18 && x < 38 && y >= 6 && y < 90 ? [30, 30, 35] : background);
  for (const lamp of lamps) {
    const rectangle = LAMPS[lamp.colour];
    const centreX = (rectangle.x1 + rectangle.x2) / 2;
    const centreY = (rectangle.y1 + rectangle.y2) / 2;
    for (let y = rectangle.y1; y < rectangle.y2; y += 1) {
      for (let x = rectangle.x1; x < rectangle.x2; x += 1) {
        const distance = Math.hypot(x + 0.5 - centreX, y + 0.5 - centreY);
        if (distance > 8) continue;
        if (!lamp.lit) paint(x, y, UNLIT[lamp.colour]);
        else paint(x, y, distance <= (lamp.centreRadius ?? 3) ? (lamp.centre ?? [255, 255, 255]) : HALO[lamp.colour]);
      }
    }
  }
  return { rgb, widthPixels: WIDTH, heightPixels: HEIGHT };
}

const dark = (colour: LampColour): LampDrawing => ({ colour, lit: false });
const lit = (colour: LampColour, drawing: Partial<LampDrawing> = {}): LampDrawing => ({ colour, lit: true, ...drawing });

describe('classifySignalLamps', () => {
  it.each([
    { name: 'red lit', lamps: [lit('red'), dark('amber'), dark('green')], state: 'red' },
    { name: 'amber lit', lamps: [dark('red'), lit('amber'), dark('green')], state: 'amber' },
    { name: 'green lit (cyan LEDs)', lamps: [dark('red'), dark('amber'), lit('green')], state: 'green' },
    { name: 'red with a yellow overexposed centre', lamps: [lit('red', { centre: [255, 238, 113], centreRadius: 5 }), dark('amber'), dark('green')], state: 'red' },
    { name: 'red nearly all white glare with a thin halo', lamps: [lit('red', { centreRadius: 7 }), dark('amber'), dark('green')], state: 'red' },
    { name: 'all dark (LED flicker)', lamps: [dark('red'), dark('amber'), dark('green')], state: 'unknown' },
    { name: 'red and green both lit (a reflection)', lamps: [lit('red'), dark('amber'), lit('green')], state: 'unknown' },
  ])('$name → $state', ({ lamps, state }) => {
    expect(classifySignalLamps(frameWith(lamps), LAMPS).state).toBe(state);
  });

  it('does not read a white car behind the head as a lit lamp (glare counts only with a coloured halo)', () => {
    const frame = frameWith([dark('red'), dark('amber'), dark('green')], [250, 250, 250]);
    // Rectangles spilling over the housing onto the white background.
    const wide = { red: { x1: 10, y1: 10, x2: 36, y2: 26 }, amber: { x1: 10, y1: 40, x2: 36, y2: 56 }, green: { x1: 10, y1: 70, x2: 36, y2: 86 } };
    expect(classifySignalLamps(frame, wide).state).toBe('unknown');
    expect(lampLitScore(frame, wide.red, 'red')).toBe(0);
  });

  it('reads a one-lamp group (a green arrow): lit → green, dark → unknown', () => {
    expect(classifySignalLamps(frameWith([lit('green')]), { green: LAMPS.green }).state).toBe('green');
    expect(classifySignalLamps(frameWith([dark('green')]), { green: LAMPS.green }).state).toBe('unknown');
  });

  it('scores a lit lamp high and an unlit one zero', () => {
    const frame = frameWith([lit('red'), dark('amber'), dark('green')]);
    const { scores } = classifySignalLamps(frame, LAMPS);
    expect(scores.red).toBeGreaterThan(0.5);
    expect(scores.amber).toBe(0);
    expect(scores.green).toBe(0);
  });

  it('clips rectangles to the frame and rejects a frame of the wrong size', () => {
    const frame = frameWith([lit('red')]);
    expect(lampLitScore(frame, { x1: -10, y1: -10, x2: 5, y2: 5 }, 'red')).toBe(0);
    expect(() => lampLitScore({ ...frame, widthPixels: 61 }, LAMPS.red, 'red')).toThrow(/RGB24/);
    expect(() => classifySignalLamps(frame, {})).toThrow(/at least one/);
  });
});

describe('SignalStateSmoother', () => {
  /** r/a/g = a lit reading, . = dark or unknown; one character per frame at 100 ms. */
  function timeline(readings: string, options: { confirmFrames?: number; holdDarkMs?: number } = {}): Array<{ fromFrame: number; state: SignalState }> {
    const smoother = new SignalStateSmoother(options);
    const result = new SignalTimeline();
    const byLetter: Record<string, SignalState> = { r: 'red', a: 'amber', g: 'green', '.': 'unknown' };
    [...readings].forEach((letter, frame) => {
      const change = smoother.update(byLetter[letter] as SignalState, frame, frame * 100);
      if (change) result.record(change);
    });
    return [...result.changes];
  }

  it.each([
    { name: 'a clean cycle', readings: 'aaarrrrrrrrgggg', expected: [{ fromFrame: 0, state: 'amber' }, { fromFrame: 3, state: 'red' }, { fromFrame: 11, state: 'green' }] },
    { name: 'red with single dark frames (LED flicker)', readings: 'rr.rrr.r..rrr.r', expected: [{ fromFrame: 0, state: 'red' }] },
    { name: 'one stray green frame in red', readings: 'rrrrrgrrrrr', expected: [{ fromFrame: 0, state: 'red' }] },
    { name: 'two stray green frames in red', readings: 'rrrrggrrrrr', expected: [{ fromFrame: 0, state: 'red' }] },
    { name: 'a change with flicker inside the confirming run', readings: 'rrrrg.g.grrr', expected: [{ fromFrame: 0, state: 'red' }, { fromFrame: 4, state: 'green' }, { fromFrame: 9, state: 'red' }] },
    { name: 'dark from the start', readings: '....rrr', expected: [{ fromFrame: 0, state: 'unknown' }, { fromFrame: 4, state: 'red' }] },
  ])('$name', ({ readings, expected }) => {
    expect(timeline(readings)).toEqual(expected);
  });

  it('turns unknown after holdDarkMs of darkness, dated to the first dark frame', () => {
    expect(timeline('rrrr.......', { holdDarkMs: 500 })).toEqual([
      { fromFrame: 0, state: 'red' },
      { fromFrame: 4, state: 'unknown' },
    ]);
  });

  it('changes at once with confirmFrames 1', () => {
    expect(timeline('rgr', { confirmFrames: 1 })).toEqual([
      { fromFrame: 0, state: 'red' },
      { fromFrame: 1, state: 'green' },
      { fromFrame: 2, state: 'red' },
    ]);
  });
});
