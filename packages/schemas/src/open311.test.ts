import { describe, expect, it } from 'vitest';
import { OPEN311_SERVICES, checkOpen311Attributes, open311CreateRequestSchema, open311RequestsQuerySchema, open311Service } from './open311';

describe('Open311 service catalogue', () => {
  it('has unique codes, names in both languages, an agency and a positive SLA', () => {
    expect(new Set(OPEN311_SERVICES.map((service) => service.serviceCode)).size).toBe(OPEN311_SERVICES.length);
    for (const service of OPEN311_SERVICES) {
      expect(service.serviceCode).toMatch(/^[A-Z0-9-]{2,64}$/);
      expect(service.nameVi && service.nameEn && service.groupVi && service.groupEn && service.agencyVi).toBeTruthy();
      expect(service.slaHours).toBeGreaterThan(0);
    }
  });
});

describe('POST requests fields', () => {
  it.each([
    { name: 'lat and long', input: { service_code: 'GT-OGA', lat: '21.39', long: '103.02' }, ok: true },
    { name: 'an address only', input: { service_code: 'GT-OGA', address_string: 'Số 1 Võ Nguyên Giáp' }, ok: true },
    { name: 'an address_id only', input: { service_code: 'GT-OGA', address_id: 'DBP-001' }, ok: true },
    { name: 'no location', input: { service_code: 'GT-OGA' }, ok: false, path: 'lat' },
    { name: 'lat without long', input: { service_code: 'GT-OGA', lat: '21.39' }, ok: false, path: 'long' },
    { name: 'lat not a number', input: { service_code: 'GT-OGA', lat: 'north', long: '103' }, ok: false, path: 'lat' },
    { name: 'a media_url that is not http(s)', input: { service_code: 'GT-OGA', address_id: 'x', media_url: 'file:///etc/passwd' }, ok: false, path: 'media_url' },
    { name: 'an unknown field', input: { service_code: 'GT-OGA', address_id: 'x', colour: 'red' }, ok: false, path: '(root)' },
  ])('$name', ({ input, ok, path }) => {
    const result = open311CreateRequestSchema.safeParse(input);
    expect(result.success).toBe(ok);
    if (!ok && path) expect(result.error?.issues.map((issue) => issue.path.join('.') || '(root)')).toContain(path);
  });

  it.each<{ attributes: Record<string, string | string[]>; problems: string[] }>([
    { attributes: { KICH_THUOC: 'lon' }, problems: [] },
    { attributes: { KICH_THUOC: 'rat_lon' }, problems: ['attribute[KICH_THUOC]'] },
    { attributes: { KICH_THUOC: ['nho', 'lon'] }, problems: ['attribute[KICH_THUOC]'] },
    { attributes: { MAU: 'do' }, problems: ['attribute[MAU]'] },
  ])('attributes $attributes', ({ attributes, problems }) => {
    expect(checkOpen311Attributes(open311Service('GT-OGA')!, attributes).map((problem) => problem.path)).toEqual(problems);
  });
});

describe('GET requests query', () => {
  it('defaults to page 1 of 100 and splits id and code lists', () => {
    expect(open311RequestsQuerySchema.parse({ service_request_id: '25-1, 25-2', service_code: 'GT-OGA,CS-DEN' })).toMatchObject({ page: 1, page_size: 100, service_request_id: ['25-1', '25-2'], service_code: ['GT-OGA', 'CS-DEN'] });
    expect(open311RequestsQuerySchema.safeParse({ page_size: '1001' }).success).toBe(false);
    expect(open311RequestsQuerySchema.parse({ start_date: '2025-06-01' }).start_date).toBe(Date.parse('2025-06-01T00:00:00Z'));
  });
});
