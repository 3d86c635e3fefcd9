import { describe, expect, it } from 'vitest';
import { dossierEventSchema } from './dossier';
import { parseWith } from './validation';

const received = {
  dossierId: '000.00.25.H18-250303-0001',
  procedureCode: '1.001193',
  procedureName: 'Đăng ký khai sinh',
  agencyCode: 'DBN-UBND-03124',
  agencyName: 'UBND phường Mường Thanh',
  administrativeLevel: 'commune',
  districtCode: '03124',
  onlineServiceLevel: 'full',
  channel: 'online',
  event: 'received',
  occurredAt: '2025-03-03T08:00:00+07:00',
  dueAt: '2025-03-03T17:00:00+07:00',
};

describe('dossierEventSchema', () => {
  it('accepts a received event', () => {
    expect(dossierEventSchema.parse(received)).toEqual(received);
  });

  it.each([
    { level: 4, expected: 'full' },
    { level: 3, expected: 'partial' },
    { level: 2, expected: 'none' },
    { level: 'partial', expected: 'partial' },
  ])('maps online service level $level to $expected', ({ level, expected }) => {
    expect(dossierEventSchema.parse({ ...received, onlineServiceLevel: level }).onlineServiceLevel).toBe(expected);
  });

  it.each([
    { name: 'a received event without dueAt', input: { ...received, dueAt: undefined }, path: 'dueAt' },
    { name: 'a due time before receipt', input: { ...received, dueAt: '2025-03-02T17:00:00+07:00' }, path: 'dueAt' },
    { name: 'an unknown event', input: { ...received, event: 'lost' }, path: 'event' },
    { name: 'an unknown level', input: { ...received, administrativeLevel: 'ward' }, path: 'administrativeLevel' },
    { name: 'a time without offset', input: { ...received, occurredAt: '2025-03-03T08:00:00' }, path: 'occurredAt' },
    { name: 'an unknown field', input: { ...received, resolvedEarly: true }, path: '(root)' },
    { name: 'a dossier id with a slash', input: { ...received, dossierId: 'a/b' }, path: 'dossierId' },
  ])('rejects $name naming $path', ({ input, path }) => {
    const result = parseWith(dossierEventSchema, input, 'dossier event');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.issues.map((issue) => issue.path)).toContain(path);
  });

  it('accepts a later event without dueAt', () => {
    expect(dossierEventSchema.safeParse({ ...received, event: 'resolved', dueAt: undefined, occurredAt: '2025-03-03T15:00:00+07:00' }).success).toBe(true);
  });
});
