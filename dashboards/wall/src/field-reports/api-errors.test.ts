import { describe, expect, it } from 'vitest';
import { problemFromBody, problemMessage } from './api-errors';

describe('problemFromBody', () => {
  it.each([
    {
      name: 'Open311 errors with the code in the header',
      status: 415,
      body: [{ code: 415, description: 'The photo was not accepted: not a JPEG or PNG' }],
      header: 'IOC_ERR_PHOTO_REJECTED',
      problem: { httpStatus: 415, code: 'IOC_ERR_PHOTO_REJECTED', detail: 'The photo was not accepted: not a JPEG or PNG' },
    },
    {
      name: 'several Open311 field errors',
      status: 400,
      body: [{ code: 400, description: 'lat: too big' }, { code: 400, description: 'attribute[LOAI]: required' }],
      header: 'IOC_ERR_VALIDATION',
      problem: { httpStatus: 400, code: 'IOC_ERR_VALIDATION', detail: 'lat: too big; attribute[LOAI]: required' },
    },
    {
      name: 'the internal JSON error with issues',
      status: 409,
      body: { error: { code: 'IOC_ERR_INVALID_TRANSITION', message: 'Field report 26-1 is resolved: cannot resolve it again', issues: [{ path: 'status', reason: 'is resolved' }] } },
      header: null,
      problem: { httpStatus: 409, code: 'IOC_ERR_INVALID_TRANSITION', detail: 'status: is resolved' },
    },
    {
      name: 'the internal JSON error without issues',
      status: 404,
      body: { error: { code: 'IOC_ERR_NOT_FOUND', message: 'No field report with id 26-9' } },
      header: null,
      problem: { httpStatus: 404, code: 'IOC_ERR_NOT_FOUND', detail: 'No field report with id 26-9' },
    },
    { name: 'a proxy page', status: 502, body: '<html>Bad gateway</html>', header: null, problem: { httpStatus: 502, code: 'HTTP_502', detail: '<html>Bad gateway</html>' } },
    { name: 'no body', status: 500, body: undefined, header: null, problem: { httpStatus: 500, code: 'HTTP_500', detail: '' } },
  ])('$name', ({ status, body, header, problem }) => {
    expect(problemFromBody(status, body, header)).toEqual(problem);
  });
});

describe('problemMessage', () => {
  it.each([
    { code: 'IOC_ERR_PHOTO_REJECTED', lang: 'vi' as const, text: /Ảnh không được chấp nhận/ },
    { code: 'IOC_ERR_PHOTO_REJECTED', lang: 'en' as const, text: /photo was not accepted/ },
    { code: 'IOC_ERR_INVALID_TRANSITION', lang: 'vi' as const, text: /không phù hợp với trạng thái/ },
    { code: 'IOC_ERR_RATE_LIMITED', lang: 'vi' as const, text: /quá nhiều phản ánh/ },
    { code: 'NETWORK', lang: 'en' as const, text: /cannot be reached/ },
    { code: 'HTTP_502', lang: 'vi' as const, text: /Máy chủ báo lỗi/ },
  ])('$code in $lang', ({ code, lang, text }) => {
    expect(problemMessage({ httpStatus: 0, code, detail: '' }, lang)).toMatch(text);
  });
});
