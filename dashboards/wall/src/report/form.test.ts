import { describe, expect, it } from 'vitest';
import { EMPTY_FORM, MAX_PHOTO_BYTES, REMEMBERED_REQUESTS_MAX, checkReportForm, followPath, open311Fields, parseCoordinate, parseRememberedRequests, rememberRequest, viewOfPath, type AttributeField, type ReportFormValues } from './form';

describe('viewOfPath', () => {
  it.each([
    { path: '/report', view: { kind: 'new' } },
    { path: '/report/', view: { kind: 'new' } },
    { path: '/report/26-00000042', view: { kind: 'follow', requestId: '26-00000042' } },
    { path: '/report/26-00000042/', view: { kind: 'follow', requestId: '26-00000042' } },
    { path: followPath('26-00000007'), view: { kind: 'follow', requestId: '26-00000007' } },
    { path: '/report/a%20b', view: { kind: 'new' } },
    { path: '/report/26-1/extra', view: { kind: 'new' } },
    { path: '/operator', view: { kind: 'new' } },
  ])('$path', ({ path, view }) => {
    expect(viewOfPath(path)).toEqual(view);
  });
});

describe('parseCoordinate', () => {
  it.each([
    { text: '21.3861', value: 21.3861 },
    { text: ' 21,3861 ', value: 21.3861 },
    { text: '-0.5', value: -0.5 },
    { text: '103', value: 103 },
    { text: '1e3', value: undefined },
    { text: '21.38.61', value: undefined },
    { text: '', value: undefined },
    { text: 'abc', value: undefined },
  ])('"$text" → $value', ({ text, value }) => {
    expect(parseCoordinate(text)).toBe(value);
  });
});

const ATTRIBUTES: AttributeField[] = [
  { code: 'LOAI', datatype: 'singlevaluelist', required: true },
  { code: 'DO_SAU_CM', datatype: 'number', required: false },
];
const FILLED: ReportFormValues = { ...EMPTY_FORM, serviceCode: 'ATGT', description: 'Đèn tín hiệu tắt', latitude: '21.3861', longitude: '103.0232', attributes: { LOAI: 'den_tin_hieu' } };

describe('checkReportForm', () => {
  it.each<{ name: string; values: ReportFormValues; problems: string[] }>([
    { name: 'a complete form', values: FILLED, problems: [] },
    { name: 'nothing filled', values: EMPTY_FORM, problems: ['service', 'location', 'description', 'attribute:LOAI'] },
    { name: 'an address instead of a point', values: { ...FILLED, latitude: '', longitude: '', address: 'Đường Võ Nguyên Giáp' }, problems: [] },
    { name: 'a latitude without a longitude', values: { ...FILLED, longitude: '' }, problems: ['longitude'] },
    { name: 'a latitude out of range', values: { ...FILLED, latitude: '91' }, problems: ['latitude'] },
    { name: 'a bad email', values: { ...FILLED, email: 'dan@' }, problems: ['email'] },
    { name: 'a photo over 8 MiB', values: { ...FILLED, photo: { name: 'big.jpg', sizeBytes: MAX_PHOTO_BYTES + 1 } }, problems: ['photoSize'] },
    { name: 'a photo of exactly 8 MiB', values: { ...FILLED, photo: { name: 'ok.jpg', sizeBytes: MAX_PHOTO_BYTES } }, problems: [] },
    { name: 'a number attribute that is not a number', values: { ...FILLED, attributes: { LOAI: 'x', DO_SAU_CM: 'sâu' } }, problems: ['attribute:DO_SAU_CM'] },
    { name: 'a blank description', values: { ...FILLED, description: '   ' }, problems: ['description'] },
  ])('$name', ({ values, problems }) => {
    expect(checkReportForm(values, ATTRIBUTES)).toEqual(problems);
  });
});

describe('open311Fields', () => {
  it.each<{ name: string; values: ReportFormValues; fields: Array<[string, string]> }>([
    {
      name: 'point, description and a list attribute',
      values: FILLED,
      fields: [['service_code', 'ATGT'], ['lat', '21.3861'], ['long', '103.0232'], ['description', 'Đèn tín hiệu tắt'], ['attribute[LOAI]', 'den_tin_hieu']],
    },
    {
      name: 'comma decimals, contact trimmed, blanks left out',
      values: { ...FILLED, latitude: '21,5', longitude: '103,25', firstName: ' Lan ', lastName: 'Nguyễn', email: '', phone: '0912 345 678', attributes: { LOAI: 'den_tin_hieu', DO_SAU_CM: '12,5' } },
      fields: [['service_code', 'ATGT'], ['lat', '21.5'], ['long', '103.25'], ['description', 'Đèn tín hiệu tắt'], ['first_name', 'Lan'], ['last_name', 'Nguyễn'], ['phone', '0912 345 678'], ['attribute[LOAI]', 'den_tin_hieu'], ['attribute[DO_SAU_CM]', '12.5']],
    },
    {
      name: 'an address only',
      values: { ...FILLED, latitude: '', longitude: '', address: ' Chợ Mường Thanh ', attributes: {} },
      fields: [['service_code', 'ATGT'], ['address_string', 'Chợ Mường Thanh'], ['description', 'Đèn tín hiệu tắt']],
    },
  ])('$name', ({ values, fields }) => {
    expect(open311Fields(values, ATTRIBUTES)).toEqual(fields);
  });
});

describe('remembered requests', () => {
  it.each([
    { stored: null, ids: [] },
    { stored: '', ids: [] },
    { stored: 'not json', ids: [] },
    { stored: '{"a":1}', ids: [] },
    { stored: '["26-00000002", 7, "../x", "26-00000001"]', ids: ['26-00000002', '26-00000001'] },
  ])('parses $stored', ({ stored, ids }) => {
    expect(parseRememberedRequests(stored)).toEqual(ids);
  });

  it.each([
    { before: [], id: '26-00000001', after: ['26-00000001'] },
    { before: ['26-00000001'], id: '26-00000002', after: ['26-00000002', '26-00000001'] },
    { before: ['26-00000002', '26-00000001'], id: '26-00000001', after: ['26-00000001', '26-00000002'] },
    { before: Array.from({ length: REMEMBERED_REQUESTS_MAX }, (_, index) => `26-0000010${index}`), id: '26-00000200', after: ['26-00000200', ...Array.from({ length: REMEMBERED_REQUESTS_MAX - 1 }, (_, index) => `26-0000010${index}`)] },
  ])('remembers $id first, at most ten', ({ before, id, after }) => {
    expect(rememberRequest(before, id)).toEqual(after);
  });
});
