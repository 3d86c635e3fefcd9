import { describe, expect, it } from 'vitest';
import type { FieldReport } from '@ioc/schemas';
import { gatherOpen311Form } from './open311';
import { toXml } from './open311-format';
import { decideTriage, type TriageCommand } from './open311-triage';

const NOW = Date.parse('2025-06-02T03:00:00Z');
const report = (status: FieldReport['status']): FieldReport => ({
  id: '25-00000001',
  serviceCode: 'GT-OGA',
  status,
  description: 'Ổ gà',
  agencyResponsible: 'Sở Xây dựng',
  statusNotes: null,
  serviceNotice: null,
  latitude: 21.39,
  longitude: 103.02,
  address: null,
  addressId: null,
  zipcode: null,
  attributes: {},
  mediaSha256: null,
  externalMediaUrl: null,
  contact: {},
  apiKeyName: null,
  requestedAt: '2025-06-01T03:00:00.000Z',
  updatedAt: '2025-06-01T03:00:00.000Z',
  expectedAt: '2025-06-04T03:00:00.000Z',
  closedAt: null,
});

describe('decideTriage', () => {
  const operator = 'trucban.hoa';
  it.each<{ name: string; from: FieldReport['status']; command: TriageCommand; toStatus?: FieldReport['status']; error?: string; check?: (change: ReturnType<typeof decideTriage>) => void }>([
    {
      name: 'assign with the service SLA when no due time is given',
      from: 'new',
      command: { kind: 'assign', operator, agency: 'UBND phường Mường Thanh' },
      toStatus: 'assigned',
      check: (change) => {
        expect(change.set.expectedAtMs).toBe(NOW + 72 * 3_600_000);
        expect(change.set.statusNotes).toBe('Đã chuyển UBND phường Mường Thanh xử lý, hạn 10:00 05/06/2025.');
      },
    },
    { name: 'assign with a due time in the past', from: 'new', command: { kind: 'assign', operator, agency: 'X', dueAtMs: NOW - 1 }, error: 'IOC_ERR_VALIDATION' },
    {
      name: 'categorise a new report: agency and SLA follow the service',
      from: 'new',
      command: { kind: 'categorise', operator, serviceCode: 'TN-NGAP' },
      toStatus: 'new',
      check: (change) => {
        expect(change.set).toMatchObject({ serviceCode: 'TN-NGAP', agencyResponsible: 'Đơn vị thoát nước đô thị', expectedAtMs: Date.parse('2025-06-01T15:00:00Z') });
      },
    },
    { name: 'categorise an assigned report: the agency stays', from: 'assigned', command: { kind: 'categorise', operator, serviceCode: 'TN-NGAP' }, toStatus: 'assigned', check: (change) => expect(change.set.agencyResponsible).toBeUndefined() },
    { name: 'categorise to an unknown service', from: 'new', command: { kind: 'categorise', operator, serviceCode: 'NOPE' }, error: 'IOC_ERR_VALIDATION' },
    { name: 'an internal note leaves status_notes alone', from: 'assigned', command: { kind: 'note', operator, note: 'nội bộ', public: false }, toStatus: 'assigned', check: (change) => expect(change.set).toEqual({}) },
    { name: 'a public note becomes status_notes', from: 'assigned', command: { kind: 'note', operator, note: 'Đang thi công', public: true }, toStatus: 'assigned', check: (change) => expect(change.set.statusNotes).toBe('Đang thi công') },
    { name: 'resolve', from: 'assigned', command: { kind: 'resolve', operator, note: 'Đã vá', photoSha256: 'a'.repeat(64) }, toStatus: 'resolved', check: (change) => expect(change).toMatchObject({ set: { closedAtMs: NOW }, details: { photoSha256: 'a'.repeat(64) } }) },
    { name: 'resolve a new report directly', from: 'new', command: { kind: 'resolve', operator, note: 'Trùng phản ánh 25-00000000' }, toStatus: 'resolved' },
    { name: 'resolve twice', from: 'resolved', command: { kind: 'resolve', operator, note: 'x' }, error: 'IOC_ERR_INVALID_TRANSITION' },
    { name: 'assign a resolved report', from: 'resolved', command: { kind: 'assign', operator, agency: 'X' }, error: 'IOC_ERR_INVALID_TRANSITION' },
    { name: 'reopen', from: 'resolved', command: { kind: 'reopen', operator, note: 'Chưa xong' }, toStatus: 'assigned', check: (change) => expect(change.set.closedAtMs).toBeNull() },
    { name: 'reopen an open report', from: 'assigned', command: { kind: 'reopen', operator, note: 'x' }, error: 'IOC_ERR_INVALID_TRANSITION' },
  ])('$name', ({ from, command, toStatus, error, check }) => {
    if (error) {
      expect(() => decideTriage(report(from), command, NOW)).toThrow(expect.objectContaining({ code: error }));
      return;
    }
    const change = decideTriage(report(from), command, NOW);
    expect(change.toStatus).toBe(toStatus);
    expect(change.actor).toBe(operator);
    check?.(change);
  });
});

describe('Open311 form and XML', () => {
  it('gathers attribute[CODE] fields, single and multi-valued', () => {
    expect(gatherOpen311Form({ service_code: 'ATGT', 'attribute[LOAI]': 'vat_can', 'attribute[TAGS][]': ['a', 'b'], lat: '21.3' })).toEqual({ service_code: 'ATGT', lat: '21.3', attributes: { LOAI: 'vat_can', TAGS: ['a', 'b'] } });
  });

  it('writes the specification’s wrappers and escapes text', () => {
    expect(toXml('errors', 'error', [{ code: 400, description: 'lat & long <required>' }])).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<errors>\n  <error>\n    <code>400</code>\n    <description>lat &amp; long &lt;required&gt;</description>\n  </error>\n</errors>\n',
    );
  });
});
