import type { RgbFrame } from '../rules/signal-lamps';
import { formatDims, shapeError } from '../shape-error';
import { paddleTensor, warpQuad, type Quad } from './image-warp';

/** PaddleOCR rec input: 48 pixels high, pixels scaled to −1..1, BGR planes. */
export const PADDLE_REC_HEIGHT_PIXELS = 48;
export const PADDLE_REC_MEAN = [0.5, 0.5, 0.5] as const;
export const PADDLE_REC_STD = [0.5, 0.5, 0.5] as const;

/** The characters a Vietnamese plate is written with; everything else the recogniser knows is ignored. */
export const PLATE_CHARACTERS = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ-.';

export interface RecInputOptions {
  /** PaddleOCR pads narrow lines on the right to 320 pixels (what the model saw in training); 0 disables it. */
  minWidthPixels?: number;
  maxWidthPixels?: number;
}

export interface RecInput {
  tensor: Float32Array;
  dims: [1, 3, number, number];
  /** Width of the text itself in the tensor; the rest is padding. */
  contentWidthPixels: number;
}

/**
 * Samples a text quad (corners clockwise from top-left) to 48 pixels high at its own aspect ratio, normalises it
 * and pads the right with zeros (mid-grey after normalisation) up to the minimum width.
 */
export function recInput(source: RgbFrame, quad: Quad, options: RecInputOptions = {}): RecInput {
  const lengthPixels = (Math.hypot(quad[1].x - quad[0].x, quad[1].y - quad[0].y) + Math.hypot(quad[2].x - quad[3].x, quad[2].y - quad[3].y)) / 2;
  const heightPixels = (Math.hypot(quad[3].x - quad[0].x, quad[3].y - quad[0].y) + Math.hypot(quad[2].x - quad[1].x, quad[2].y - quad[1].y)) / 2;
  if (!(lengthPixels > 0 && heightPixels > 0)) throw shapeError('quad', 'a quad with positive width and height', `${lengthPixels.toFixed(1)}×${heightPixels.toFixed(1)}`);
  const maxWidth = options.maxWidthPixels ?? 1280;
  const contentWidthPixels = Math.min(maxWidth, Math.max(8, Math.ceil((PADDLE_REC_HEIGHT_PIXELS * lengthPixels) / heightPixels)));
  const tensorWidth = Math.max(contentWidthPixels, Math.min(maxWidth, options.minWidthPixels ?? 320));
  const line = warpQuad(source, quad, contentWidthPixels, PADDLE_REC_HEIGHT_PIXELS);
  const content = paddleTensor(line, PADDLE_REC_MEAN, PADDLE_REC_STD);
  const tensor = new Float32Array(3 * PADDLE_REC_HEIGHT_PIXELS * tensorWidth); // zeros: padding
  for (let channel = 0; channel < 3; channel += 1) {
    for (let row = 0; row < PADDLE_REC_HEIGHT_PIXELS; row += 1) {
      const from = (channel * PADDLE_REC_HEIGHT_PIXELS + row) * contentWidthPixels;
      tensor.set(content.subarray(from, from + contentWidthPixels), (channel * PADDLE_REC_HEIGHT_PIXELS + row) * tensorWidth);
    }
  }
  return { tensor, dims: [1, 3, PADDLE_REC_HEIGHT_PIXELS, tensorWidth], contentWidthPixels };
}

/**
 * Which output classes to look at: class 0 is the CTC blank, class i the dictionary's line i (1-based), and the
 * last class a space (PaddleOCR's use_space_char). Returns the class index of each plate character present.
 */
export function plateClassIndices(dictionary: readonly string[], characters: string = PLATE_CHARACTERS): Map<number, string> {
  const wanted = new Set(characters);
  const classes = new Map<number, string>();
  dictionary.forEach((entry, index) => {
    if (wanted.has(entry)) classes.set(index + 1, entry);
  });
  return classes;
}

export interface RecognisedText {
  text: string;
  /** Per character: the highest probability over the time steps it was read on. */
  characterConfidences: number[];
  /** Mean of the character confidences; 0 for no text. */
  confidence: number;
}

/**
 * CTC greedy decoding restricted to plate characters: at each time step the winner is taken among the blank, the
 * space and the plate classes only (a Chinese look-alike of "0" must not hide the "0" behind it), repeats
 * collapse unless a blank or another class separates them.
 * `probabilities` is the model output [1, T, C] (softmax already applied by PaddleOCR's inference graph).
 */
export function ctcGreedyDecode(probabilities: Float32Array, dims: readonly number[], classes: ReadonlyMap<number, string>): RecognisedText {
  if (dims.length !== 3 || dims[0] !== 1 || (dims[1] as number) * (dims[2] as number) !== probabilities.length) {
    throw shapeError('rec output', '[1, time steps, classes] matching the data', `${formatDims(dims)} with ${probabilities.length} values`);
  }
  const steps = dims[1] as number;
  const classCount = dims[2] as number;
  const spaceClass = classCount - 1;
  const candidates = [0, spaceClass, ...[...classes.keys()].filter((index) => index < classCount)];
  let text = '';
  const characterConfidences: number[] = [];
  let previous = -1;
  for (let step = 0; step < steps; step += 1) {
    const base = step * classCount;
    let winner = 0;
    let winnerProbability = -1;
    for (const candidate of candidates) {
      const probability = probabilities[base + candidate] as number;
      if (probability > winnerProbability) {
        winner = candidate;
        winnerProbability = probability;
      }
    }
    const character = classes.get(winner);
    if (character !== undefined) {
      if (winner === previous) {
        const last = characterConfidences.length - 1;
        characterConfidences[last] = Math.max(characterConfidences[last] as number, winnerProbability);
      } else {
        text += character;
        characterConfidences.push(winnerProbability);
      }
    }
    previous = winner;
  }
  const confidence = characterConfidences.length === 0 ? 0 : characterConfidences.reduce((sum, value) => sum + value, 0) / characterConfidences.length;
  return { text, characterConfidences, confidence };
}
