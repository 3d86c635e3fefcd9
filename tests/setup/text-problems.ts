/**
 * Text that overlaps other text or is cut off by an ancestor that hides overflow, found in the page by
 * `page.evaluate(findTextProblems)` (self-contained: it is serialised into the page). The same check as
 * tests/wall-screens.test.ts runs on the wall's scenes, for the staff pages.
 */
export interface TextProblem {
  kind: 'overlap' | 'clipped';
  text: string;
  other?: string;
}

/** Runs in the page: text node boxes (Range.getClientRects) against each other and against every ancestor that hides overflow. */
export function findTextProblems(): TextProblem[] {
  const problems: TextProblem[] = [];
  const boxes: Array<{ rect: DOMRect; text: string; element: Element }> = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = (node.textContent ?? '').trim();
    const element = node.parentElement;
    if (!text || !element) continue;
    if (element.closest('[hidden]') || element.getClientRects().length === 0) continue;
    const style = getComputedStyle(element);
    if (style.visibility === 'hidden' || Number(style.opacity) === 0) continue;
    const range = document.createRange();
    range.selectNodeContents(node);
    for (const rect of Array.from(range.getClientRects())) {
      if (rect.width < 1 || rect.height < 1) continue;
      boxes.push({ rect, text, element });
      for (let ancestor = element as Element | null; ancestor && ancestor !== document.documentElement; ancestor = ancestor.parentElement) {
        const ancestorStyle = getComputedStyle(ancestor);
        const clipsX = ancestorStyle.overflowX !== 'visible';
        const clipsY = ancestorStyle.overflowY !== 'visible';
        if (!clipsX && !clipsY) continue;
        const outer = ancestor.getBoundingClientRect();
        const left = outer.left + ancestor.clientLeft;
        const top = outer.top + ancestor.clientTop;
        const right = left + (ancestor === document.body ? window.innerWidth : ancestor.clientWidth);
        const bottom = top + (ancestor === document.body ? window.innerHeight : ancestor.clientHeight);
        const tolerance = 1;
        if ((clipsX && (rect.left < left - tolerance || rect.right > right + tolerance)) || (clipsY && (rect.top < top - tolerance || rect.bottom > bottom + tolerance))) {
          problems.push({ kind: 'clipped', text, other: `${ancestor.tagName.toLowerCase()}.${String(ancestor.className).split(' ').join('.')}` });
          break;
        }
      }
    }
  }
  // Glyph boxes are taller than tight line heights: only a real overlap (a fifth of the smaller box) counts.
  for (let first = 0; first < boxes.length; first += 1) {
    for (let second = first + 1; second < boxes.length; second += 1) {
      const a = boxes[first] as (typeof boxes)[number];
      const b = boxes[second] as (typeof boxes)[number];
      if (a.element === b.element) continue;
      const width = Math.min(a.rect.right, b.rect.right) - Math.max(a.rect.left, b.rect.left);
      const height = Math.min(a.rect.bottom, b.rect.bottom) - Math.max(a.rect.top, b.rect.top);
      if (width <= 0 || height <= 0) continue;
      const smaller = Math.min(a.rect.width * a.rect.height, b.rect.width * b.rect.height);
      if (width * height > 0.2 * smaller) problems.push({ kind: 'overlap', text: a.text, other: b.text });
    }
  }
  return problems;
}
