/**
 * Vietnamese licence plates (Circular 24/2023/TT-BCA shapes): province code (two digits), series, number.
 *   one row, cars:             30E-558.78   30A-1234 (older four-digit)   51LD-123.45 (two-letter series)
 *   two rows, motorbikes:      29-B1 256.62  59-X3 123.45   29-AB 123.45   59-X3 1234 (older)
 * Square car plates (two rows, "30A" over "123.45") are the same number as the one-row form and are written so.
 */
import { compactPlate, PLATE_LETTER_AS_DIGIT } from '@ioc/schemas';

// Compact form and match score live in @ioc/schemas: the API ranks plate searches with them and may not import vision.
export { compactPlate, plateEditDistance, plateMatchScore } from '@ioc/schemas';

export type PlateFormat = 'car' | 'car-4-digit' | 'car-2-letter' | 'motorbike' | 'motorbike-4-digit' | 'motorbike-2-letter';

/** D digit, L letter; the layout puts the separators back (# stands for the next character). */
interface PlateTemplate {
  format: PlateFormat;
  pattern: string;
  layout: string;
  /** Characters on the top row when the plate has two rows. */
  topRowLength: number;
  /** Read from one row this shape is unusual (motorbike plates have two rows): a small penalty. */
  oneRowPenalty: number;
}

const TEMPLATES: readonly PlateTemplate[] = [
  { format: 'car', pattern: 'DDLDDDDD', layout: '###-###.##', topRowLength: 3, oneRowPenalty: 0 },
  { format: 'car-4-digit', pattern: 'DDLDDDD', layout: '###-####', topRowLength: 3, oneRowPenalty: 0 },
  { format: 'car-2-letter', pattern: 'DDLLDDDDD', layout: '####-###.##', topRowLength: 4, oneRowPenalty: 0 },
  { format: 'motorbike', pattern: 'DDLDDDDDD', layout: '##-## ###.##', topRowLength: 4, oneRowPenalty: 0.1 },
  { format: 'motorbike-4-digit', pattern: 'DDLDDDDD', layout: '##-## ####', topRowLength: 4, oneRowPenalty: 0.6 },
  { format: 'motorbike-2-letter', pattern: 'DDLLDDDDD', layout: '##-## ###.##', topRowLength: 4, oneRowPenalty: 0.6 },
];

/** Letters OCR reads where a digit is printed, and the digit meant. */
const LETTER_AS_DIGIT = PLATE_LETTER_AS_DIGIT;
/** What OCR reads where a series letter is printed, and the letter meant (series use no I, J, O, Q or W). */
const NOT_SERIES_LETTER: Readonly<Record<string, string>> = { '0': 'D', O: 'D', Q: 'D', '8': 'B', '5': 'S', '2': 'Z', '6': 'G' };
const SERIES_LETTERS = new Set('ABCDEFGHKLMNPRSTUVXYZ');

export interface NormalisedPlate {
  /** In the official layout: `30E-558.78`, `29-B1 256.62`. */
  normalised: string;
  /** Letters and digits only: `30E55878`. */
  compact: string;
  format: PlateFormat;
  /** Characters changed by position (O→0 where a digit is printed, 8→B where a letter is…). */
  repairs: number;
  /** Characters dropped from the ends (a plate border or screw read as a character). */
  trimmed: number;
}

const isDigit = (character: string): boolean => character >= '0' && character <= '9';

/** Fits compact text to a template, repairing look-alikes by position; undefined when it cannot fit. */
function fitTemplate(compact: string, template: PlateTemplate): { text: string; repairs: number } | undefined {
  if (compact.length !== template.pattern.length) return undefined;
  let text = '';
  let repairs = 0;
  for (let index = 0; index < compact.length; index += 1) {
    const character = compact[index] as string;
    const wanted = template.pattern[index];
    // The second series character of a motorbike plate is a digit (B1) or a letter (AB): take either as read.
    if (wanted === 'D' && isDigit(character)) text += character;
    else if (wanted === 'L' && SERIES_LETTERS.has(character)) text += character;
    else if (wanted === 'D' && LETTER_AS_DIGIT[character] !== undefined) {
      text += LETTER_AS_DIGIT[character];
      repairs += 1;
    } else if (wanted === 'L' && NOT_SERIES_LETTER[character] !== undefined) {
      text += NOT_SERIES_LETTER[character];
      repairs += 1;
    } else return undefined;
  }
  return { text, repairs };
}

function layOut(text: string, layout: string): string {
  let index = 0;
  return layout.replace(/#/g, () => text[index++] as string);
}

/**
 * The plate in its official layout from what was read: one row, or two rows top first. The template that needs
 * the fewest repairs wins; with two rows the top row's length tells a motorbike's `29-B1` from a square car
 * plate's `30A`. Undefined when no shape fits even after repairs and trimming one character off an end.
 */
export function normalisePlate(rows: readonly string[]): NormalisedPlate | undefined {
  const compactRows = rows.map(compactPlate).filter((row) => row.length > 0);
  if (compactRows.length === 0) return undefined;
  const twoRows = compactRows.length >= 2;
  const topLength = twoRows ? (compactRows[0] as string).length : 0;
  const joined = compactRows.join('');
  // Where a dash was read (letters and digits before it) tells `30E-…` from `30-E5 …` when the rows do not.
  const raw = rows.join(' ').toUpperCase();
  const dashIndex = raw.indexOf('-');
  const dashAfter = dashIndex < 0 ? undefined : compactPlate(raw.slice(0, dashIndex)).length;
  let best: (NormalisedPlate & { cost: number }) | undefined;
  const variants: Array<{ text: string; trimmed: number; topShift: number }> = [{ text: joined, trimmed: 0, topShift: 0 }];
  if (joined.length > 7) {
    variants.push({ text: joined.slice(1), trimmed: 1, topShift: 1 }, { text: joined.slice(0, -1), trimmed: 1, topShift: 0 });
  }
  for (const variant of variants) {
    for (const template of TEMPLATES) {
      const fitted = fitTemplate(variant.text, template);
      if (!fitted) continue;
      let cost = fitted.repairs + variant.trimmed * 1.5;
      if (twoRows) {
        // A top row that does not match the template's top row is likely a misread row split, not a fit.
        if (topLength - variant.topShift !== template.topRowLength) cost += 1.2;
      } else cost += template.oneRowPenalty;
      // OCR seldom invents a dash: one read in another place than the template's is strong evidence against it.
      if (dashAfter !== undefined && dashAfter - variant.topShift !== template.layout.indexOf('-')) cost += 2;
      if (!best || cost < best.cost) {
        best = { normalised: layOut(fitted.text, template.layout), compact: fitted.text, format: template.format, repairs: fitted.repairs, trimmed: variant.trimmed, cost };
      }
    }
  }
  if (!best) return undefined;
  const { cost: _cost, ...plate } = best;
  return plate;
}
