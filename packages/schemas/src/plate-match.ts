/**
 * Comparing Vietnamese plates for search (the trace, the police console): the compact form and a match score that
 * knows which characters OCR confuses. Here rather than in @ioc/vision because the API ranks search results with
 * it and may not import vision; vision re-exports it beside the plate normalisation.
 */

/** Letters OCR reads where a digit is printed, and the digit meant. */
export const PLATE_LETTER_AS_DIGIT: Readonly<Record<string, string>> = { O: '0', D: '0', Q: '0', I: '1', B: '8', S: '5', Z: '2', G: '6' };

/** Pairs that look alike on a plate, both ways (for the fuzzy search cost). */
const CONFUSABLE = new Set<string>();
for (const [letter, digit] of Object.entries(PLATE_LETTER_AS_DIGIT)) {
  CONFUSABLE.add(letter + digit);
  CONFUSABLE.add(digit + letter);
}
for (const pair of ['DO', 'OD', 'QO', 'OQ', 'EF', 'FE', 'HN', 'NH', 'MN', 'NM', 'UV', 'VU', 'KX', 'XK']) CONFUSABLE.add(pair);

/** Upper case, letters and digits only: the form plates are compared and searched in. */
export function compactPlate(text: string): string {
  return text.toUpperCase().replace(/[^0-9A-Z]/g, '');
}

/** Plain Levenshtein distance between two plates' compact forms. */
export function plateEditDistance(a: string, b: string): number {
  return weightedDistance(compactPlate(a), compactPlate(b), () => 1);
}

/**
 * How alike two plates are, 0..1, for search: 1 − weighted edit distance / longer length, where swapping
 * look-alikes (O/0, B/8, S/5…) costs a quarter of another substitution, so `51F-I23.45` still finds
 * `51F-123.45` ahead of `51F-723.45`.
 */
export function plateMatchScore(a: string, b: string): number {
  const left = compactPlate(a);
  const right = compactPlate(b);
  const longer = Math.max(left.length, right.length);
  if (longer === 0) return 0;
  const distance = weightedDistance(left, right, (x, y) => (CONFUSABLE.has(x + y) ? 0.25 : 1));
  return Math.max(0, 1 - distance / longer);
}

function weightedDistance(a: string, b: string, substitutionCost: (x: string, y: string) => number): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let row = 1; row <= a.length; row += 1) {
    const current = [row];
    for (let column = 1; column <= b.length; column += 1) {
      const x = a[row - 1] as string;
      const y = b[column - 1] as string;
      const substitute = (previous[column - 1] as number) + (x === y ? 0 : substitutionCost(x, y));
      current.push(Math.min(substitute, (previous[column] as number) + 1, (current[column - 1] as number) + 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}
