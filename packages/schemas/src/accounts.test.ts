import { describe, expect, it } from 'vitest';
import { userMaySee, type SessionUser } from './accounts';

const base: SessionUser = { id: 'u1', username: 'a', displayName: 'A', role: 'police', districtCodes: [], cameraIds: [] };

describe('userMaySee', () => {
  it.each([
    { name: 'province-wide sees everything', user: base, place: { districtCode: '760' }, expected: true },
    { name: 'province-wide sees unknown districts', user: base, place: {}, expected: true },
    { name: 'district officer sees own district', user: { ...base, districtCodes: ['760'] }, place: { districtCode: '760' }, expected: true },
    { name: 'district officer does not see another', user: { ...base, districtCodes: ['760'] }, place: { districtCode: '770' }, expected: false },
    { name: 'district officer does not see unknown district', user: { ...base, districtCodes: ['760'] }, place: { districtCode: null }, expected: false },
    { name: 'camera list admits listed camera', user: { ...base, cameraIds: ['cam-1'] }, place: { cameraId: 'cam-1' }, expected: true },
    { name: 'camera list refuses other camera', user: { ...base, cameraIds: ['cam-1'] }, place: { cameraId: 'cam-2' }, expected: false },
    { name: 'both scopes must hold', user: { ...base, districtCodes: ['760'], cameraIds: ['cam-1'] }, place: { districtCode: '770', cameraId: 'cam-1' }, expected: false },
  ])('$name', ({ user, place, expected }) => {
    expect(userMaySee(user, place)).toBe(expected);
  });
});
