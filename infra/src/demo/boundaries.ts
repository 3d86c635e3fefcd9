import type { District } from '@ioc/schemas';

/**
 * Hand-drawn, simplified district outlines for the demo province (modelled on Điện Biên). They are sketches
 * placed roughly where the districts lie so the wall has shapes to colour: not survey data, not for any
 * administrative use. A real site imports its official boundaries through a site pack.
 *
 * Each border between two districts (or a district and the province edge) is drawn once, from one junction
 * to the next, and every ring is stitched from borders, so neighbours share their edges exactly.
 */
type Position = [longitude: number, latitude: number];

const BORDERS = {
  // Huyện Điện Biên | Huyện Mường Chà
  dienBienMuongCha: [[102.88, 21.6], [102.93, 21.615], [102.975, 21.605], [103.01, 21.625], [103.05, 21.61], [103.095, 21.585]],
  // Huyện Điện Biên | Huyện Mường Ảng (north of the city)
  dienBienMuongAngNorth: [[103.095, 21.585], [103.11, 21.55], [103.1, 21.515], [103.115, 21.48], [103.09, 21.46], [103.075, 21.445]],
  // Huyện Điện Biên | Thành phố Điện Biên Phủ: the city sits in a bay of the district, round its west side
  cityWest: [
    [103.075, 21.445], [103.05, 21.452], [103.025, 21.448], [103.0, 21.436], [102.985, 21.415], [102.978, 21.392],
    [102.984, 21.37], [102.998, 21.352], [103.02, 21.342], [103.045, 21.338], [103.065, 21.336], [103.08, 21.34],
  ],
  // Thành phố Điện Biên Phủ | Huyện Mường Ảng, south to north
  cityEast: [[103.08, 21.34], [103.09, 21.36], [103.087, 21.385], [103.093, 21.41], [103.085, 21.43], [103.075, 21.445]],
  // Huyện Điện Biên | Huyện Mường Ảng (south of the city)
  dienBienMuongAngSouth: [[103.08, 21.34], [103.095, 21.328], [103.11, 21.33], [103.125, 21.32]],
  // Huyện Điện Biên | Huyện Điện Biên Đông
  dienBienDienBienDong: [[103.125, 21.32], [103.14, 21.28], [103.12, 21.24], [103.135, 21.19], [103.115, 21.15], [103.12, 21.1], [103.095, 21.07], [103.085, 21.04]],
  // Huyện Điện Biên | the border with Laos, south to north
  dienBienWest: [
    [103.085, 21.04], [103.04, 21.02], [102.99, 21.045], [102.95, 21.09], [102.93, 21.14], [102.955, 21.19], [102.92, 21.24],
    [102.885, 21.28], [102.87, 21.33], [102.84, 21.38], [102.855, 21.43], [102.83, 21.48], [102.85, 21.53], [102.865, 21.57], [102.88, 21.6],
  ],
  // Huyện Mường Ảng | Huyện Mường Chà
  muongAngMuongCha: [[103.095, 21.585], [103.13, 21.605], [103.17, 21.595], [103.21, 21.62], [103.25, 21.61], [103.285, 21.625]],
  // Huyện Mường Ảng | Huyện Tuần Giáo
  muongAngTuanGiao: [[103.285, 21.625], [103.29, 21.58], [103.315, 21.54], [103.3, 21.5], [103.325, 21.46], [103.315, 21.43], [103.335, 21.395]],
  // Huyện Mường Ảng | Huyện Điện Biên Đông
  muongAngDienBienDong: [[103.335, 21.395], [103.29, 21.37], [103.25, 21.385], [103.21, 21.36], [103.17, 21.365], [103.145, 21.34], [103.125, 21.32]],
  // Huyện Điện Biên Đông | the province edge, east then south
  dienBienDongEast: [[103.335, 21.395], [103.37, 21.36], [103.4, 21.31], [103.385, 21.26], [103.42, 21.21], [103.44, 21.15], [103.42, 21.1], [103.42, 21.06]],
  dienBienDongSouth: [[103.42, 21.06], [103.37, 21.04], [103.32, 21.05], [103.27, 21.02], [103.22, 21.035], [103.17, 21.02], [103.12, 21.035], [103.085, 21.04]],
  // Huyện Tuần Giáo | Huyện Mường Chà
  tuanGiaoMuongCha: [[103.285, 21.625], [103.31, 21.66], [103.295, 21.7], [103.32, 21.74], [103.3, 21.79], [103.3, 21.845]],
  // Huyện Tuần Giáo | Huyện Tủa Chùa
  tuanGiaoTuaChua: [[103.3, 21.845], [103.35, 21.83], [103.4, 21.855], [103.45, 21.84], [103.5, 21.865], [103.56, 21.85], [103.625, 21.87]],
  // Huyện Tuần Giáo | the province edge, north-east round to the south-west
  tuanGiaoEast: [
    [103.625, 21.87], [103.64, 21.82], [103.61, 21.76], [103.63, 21.7], [103.59, 21.64], [103.56, 21.58], [103.52, 21.54],
    [103.47, 21.5], [103.43, 21.45], [103.38, 21.42], [103.335, 21.395],
  ],
  // Huyện Mường Chà | the province edge (Nậm Pồ, Laos side), south to north
  muongChaWest: [[102.88, 21.6], [102.86, 21.65], [102.89, 21.71], [102.87, 21.77], [102.91, 21.83], [102.9, 21.89], [102.94, 21.95], [102.98, 22.0], [103.02, 22.05], [103.06, 22.09], [103.105, 22.105]],
  // Thị xã Mường Lay | Huyện Mường Chà
  muongLayMuongCha: [[103.105, 22.105], [103.115, 22.07], [103.13, 22.035], [103.15, 22.01], [103.18, 21.99], [103.215, 21.985]],
  // Huyện Mường Chà | Huyện Tủa Chùa
  muongChaTuaChua: [[103.215, 21.985], [103.24, 21.95], [103.255, 21.91], [103.28, 21.88], [103.3, 21.845]],
  // Thị xã Mường Lay | the province edge (Lai Châu)
  muongLayNorth: [[103.105, 22.105], [103.13, 22.12], [103.165, 22.14], [103.205, 22.13]],
  // Thị xã Mường Lay | Huyện Tủa Chùa (the Đà river), north to south
  muongLayTuaChua: [[103.205, 22.13], [103.215, 22.09], [103.205, 22.05], [103.225, 22.02], [103.215, 21.985]],
  // Huyện Tủa Chùa | the province edge, north then east
  tuaChuaNorth: [[103.205, 22.13], [103.25, 22.16], [103.3, 22.14], [103.35, 22.17], [103.41, 22.15], [103.47, 22.12]],
  tuaChuaEast: [[103.47, 22.12], [103.52, 22.08], [103.56, 22.03], [103.59, 21.97], [103.61, 21.92], [103.625, 21.87]],
} satisfies Record<string, Position[]>;

export type BorderName = keyof typeof BORDERS;
/** A border walked forwards, or backwards when prefixed with `-`. */
type BorderStep = BorderName | `-${BorderName}`;

/** Districts as rings of borders, in walking order. Codes are the GSO district codes of Điện Biên (province 11). */
export const DISTRICT_OUTLINES: ReadonlyArray<{ code: string; name: string; ring: readonly BorderStep[] }> = [
  { code: '094', name: 'Thành phố Điện Biên Phủ', ring: ['cityWest', 'cityEast'] },
  { code: '095', name: 'Thị xã Mường Lay', ring: ['muongLayNorth', 'muongLayTuaChua', '-muongLayMuongCha'] },
  { code: '097', name: 'Huyện Mường Chà', ring: ['muongChaWest', 'muongLayMuongCha', 'muongChaTuaChua', '-tuanGiaoMuongCha', '-muongAngMuongCha', '-dienBienMuongCha'] },
  { code: '098', name: 'Huyện Tủa Chùa', ring: ['-muongChaTuaChua', '-muongLayTuaChua', 'tuaChuaNorth', 'tuaChuaEast', '-tuanGiaoTuaChua'] },
  { code: '099', name: 'Huyện Tuần Giáo', ring: ['-muongAngTuanGiao', 'tuanGiaoMuongCha', 'tuanGiaoTuaChua', 'tuanGiaoEast'] },
  { code: '100', name: 'Huyện Điện Biên', ring: ['dienBienMuongCha', 'dienBienMuongAngNorth', 'cityWest', 'dienBienMuongAngSouth', 'dienBienDienBienDong', 'dienBienWest'] },
  { code: '101', name: 'Huyện Điện Biên Đông', ring: ['-muongAngDienBienDong', 'dienBienDongEast', 'dienBienDongSouth', '-dienBienDienBienDong'] },
  { code: '102', name: 'Huyện Mường Ảng', ring: ['-dienBienMuongAngNorth', 'muongAngMuongCha', 'muongAngTuanGiao', 'muongAngDienBienDong', '-dienBienMuongAngSouth', 'cityEast'] },
];

/**
 * Stitches a ring from its borders: each border must start where the previous one ended (checked, so a
 * slip of the pen fails loudly). The result is closed and counter-clockwise (the GeoJSON right-hand rule).
 */
export function stitchRing(steps: readonly BorderStep[]): Position[] {
  const ring: Position[] = [];
  for (const step of steps) {
    const reversed = step.startsWith('-');
    const name = (reversed ? step.slice(1) : step) as BorderName;
    const points = (BORDERS[name] as Position[]).map((point): Position => [point[0], point[1]]);
    if (reversed) points.reverse();
    const previous = ring.at(-1);
    const first = points[0] as Position;
    if (previous && (previous[0] !== first[0] || previous[1] !== first[1])) {
      throw new Error(`border ${step} starts at ${first.join(',')} but the ring is at ${previous.join(',')}`);
    }
    ring.push(...(previous ? points.slice(1) : points));
  }
  const start = ring[0] as Position;
  const end = ring.at(-1) as Position;
  if (start[0] !== end[0] || start[1] !== end[1]) throw new Error(`ring ${steps.join(' ')} does not close`);
  if (signedArea(ring) < 0) ring.reverse();
  return ring;
}

/** Shoelace formula in degrees²: positive for a counter-clockwise ring. */
export function signedArea(ring: readonly Position[]): number {
  let twiceArea = 0;
  for (let index = 0; index < ring.length - 1; index += 1) {
    const [x1, y1] = ring[index] as Position;
    const [x2, y2] = ring[index + 1] as Position;
    twiceArea += x1 * y2 - x2 * y1;
  }
  return twiceArea / 2;
}

/** Even-odd ray casting; points on an edge may fall either way. */
export function pointInRing(point: readonly [number, number], ring: readonly Position[]): boolean {
  const [x, y] = point;
  let inside = false;
  for (let index = 0, previous = ring.length - 1; index < ring.length; previous = index, index += 1) {
    const [xi, yi] = ring[index] as Position;
    const [xj, yj] = ring[previous] as Position;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

export function demoDistricts(): District[] {
  return DISTRICT_OUTLINES.map(({ code, name, ring }) => ({ code, name, boundary: stitchRing(ring) }));
}
