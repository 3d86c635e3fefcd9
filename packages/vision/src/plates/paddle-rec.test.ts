import { describe, expect, it } from 'vitest';
import { boxQuad } from './image-warp';
import { ctcGreedyDecode, plateClassIndices, recInput } from './paddle-rec';

// Dictionary lines 1..6 → classes 1..6; class 0 blank, class 7 the space.
const DICTIONARY = ['3', '中', 'A', '-', '0', '國'];
const CLASSES = plateClassIndices(DICTIONARY);
const SPACE = DICTIONARY.length + 1;

/** One-hot-ish steps: each step gives `probability` to one class and shares the rest evenly. */
function steps(winners: Array<[number, number]>): { data: Float32Array; dims: number[] } {
  const classCount = DICTIONARY.length + 2;
  const data = new Float32Array(winners.length * classCount);
  winners.forEach(([winner, probability], step) => {
    for (let index = 0; index < classCount; index += 1) data[step * classCount + index] = index === winner ? probability : (1 - probability) / (classCount - 1);
  });
  return { data, dims: [1, winners.length, classCount] };
}

describe('ctcGreedyDecode', () => {
  it('keeps only plate characters', () => {
    expect([...CLASSES.values()]).toEqual(['3', 'A', '-', '0']);
    expect([...CLASSES.keys()]).toEqual([1, 3, 4, 5]);
  });

  it.each([
    { name: 'collapses repeats', winners: [[1, 0.9], [1, 0.95], [0, 0.9], [3, 0.8]], text: '3A', confidences: [0.95, 0.8] },
    { name: 'a blank separates a doubled character', winners: [[5, 0.9], [0, 0.9], [5, 0.7]], text: '00', confidences: [0.9, 0.7] },
    { name: 'a space separates and is not written', winners: [[5, 0.9], [SPACE, 0.9], [5, 0.6]], text: '00', confidences: [0.9, 0.6] },
    { name: 'blanks only read as nothing', winners: [[0, 0.99], [0, 0.99]], text: '', confidences: [] },
  ] as Array<{ name: string; winners: Array<[number, number]>; text: string; confidences: number[] }>)('$name', ({ winners, text, confidences }) => {
    const { data, dims } = steps(winners);
    const decoded = ctcGreedyDecode(data, dims, CLASSES);
    expect(decoded.text).toBe(text);
    decoded.characterConfidences.forEach((confidence, index) => expect(confidence).toBeCloseTo(confidences[index] as number, 5));
    expect(decoded.confidence).toBeCloseTo(confidences.length ? confidences.reduce((a, b) => a + b, 0) / confidences.length : 0, 5);
  });

  it('reads the best plate character behind a Chinese look-alike', () => {
    // Step: 中 0.5, A 0.3, blank 0.2 → A (中 is not a plate character).
    const classCount = DICTIONARY.length + 2;
    const data = new Float32Array(classCount);
    data[2] = 0.5;
    data[3] = 0.3;
    data[0] = 0.2;
    expect(ctcGreedyDecode(data, [1, 1, classCount], CLASSES).text).toBe('A');
  });

  it('refuses an output of the wrong shape', () => {
    expect(() => ctcGreedyDecode(new Float32Array(10), [1, 3, 4], CLASSES)).toThrow(/time steps/);
  });
});

describe('recInput', () => {
  it('samples a line 48 pixels high at its aspect and pads to 320 with zeros', () => {
    const rgb = new Uint8Array(100 * 20 * 3).fill(255);
    const input = recInput({ rgb, widthPixels: 100, heightPixels: 20 }, boxQuad(0, 0, 100, 20));
    expect(input.contentWidthPixels).toBe(240);
    expect(input.dims).toEqual([1, 3, 48, 320]);
    expect(input.tensor[0]).toBeCloseTo(1, 6); // white → +1
    expect(input.tensor[239]).toBeCloseTo(1, 6);
    expect(input.tensor[240]).toBe(0); // padding
    expect(input.tensor[2 * 48 * 320 + 47 * 320 + 239]).toBeCloseTo(1, 6);
  });

  it('keeps a long line at its own width', () => {
    const rgb = new Uint8Array(400 * 20 * 3);
    expect(recInput({ rgb, widthPixels: 400, heightPixels: 20 }, boxQuad(0, 0, 400, 20)).dims).toEqual([1, 3, 48, 960]);
  });

  it('refuses a degenerate quad', () => {
    const rgb = new Uint8Array(10 * 10 * 3);
    expect(() => recInput({ rgb, widthPixels: 10, heightPixels: 10 }, boxQuad(5, 5, 5, 8))).toThrow(/positive width and height/);
  });
});
