import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { agencyCodeFromName, foldText, parseVietnamTime, readDossierFile } from './dossier-file';

const VIETNAMESE_CSV = [
  'Mã hồ sơ;Mã thủ tục;Tên thủ tục;Mã cơ quan;Cơ quan;Cấp;Mức độ DVC;Kênh;Sự kiện;Thời điểm;Hạn xử lý',
  'HS-001;2.000488;Cấp Phiếu lý lịch tư pháp;SO-TP;Sở Tư pháp;Tỉnh;Toàn trình;Trực tuyến;Tiếp nhận;03/03/2025 08:15;17/03/2025 17:00',
  'HS-001;2.000488;Cấp Phiếu lý lịch tư pháp;SO-TP;Sở Tư pháp;Tỉnh;Toàn trình;Trực tuyến;Đã giải quyết;12/03/2025 10:00;',
  'HS-002;1.001193;Đăng ký khai sinh;UBND-X-03124;UBND phường Mường Thanh;Xã;Mức độ 3;Trực tiếp;Tiếp nhận;31/02/2025 08:00;03/03/2025',
  'HS-003;1.001193;Đăng ký khai sinh;UBND-X-03124;UBND phường Mường Thanh;Phường;3;Bưu chính;Tiếp nhận;2025-03-03T09:00;',
  'HS-004;1.001193;Đăng ký khai sinh;UBND-X-03124;UBND phường Mường Thanh;Trung ương;3;Bưu chính;Tiếp nhận;2025-03-03T09:00;03/03/2025',
  '',
].join('\r\n');

describe('readDossierFile (CSV)', () => {
  it('reads Vietnamese headers and values, keeps good rows and reports bad ones by row and column', async () => {
    const result = await readDossierFile(Buffer.from(`\uFEFF${VIETNAMESE_CSV}`), 'csv', { maxRows: 100 });
    expect(result.rows).toBe(5);
    expect(result.events).toEqual([
      expect.objectContaining({ dossierId: 'HS-001', event: 'received', administrativeLevel: 'province', onlineServiceLevel: 'full', channel: 'online', occurredAt: '2025-03-03T08:15:00+07:00', dueAt: '2025-03-17T17:00:00+07:00' }),
      expect.objectContaining({ dossierId: 'HS-001', event: 'resolved', occurredAt: '2025-03-12T10:00:00+07:00' }),
    ]);
    expect(result.events[1]).not.toHaveProperty('dueAt');
    expect(result.rejected).toEqual([
      { row: 4, column: 'Thời điểm', field: 'occurredAt', reason: expect.stringContaining('31/02/2025 08:00') },
      { row: 5, column: 'Hạn xử lý', field: 'dueAt', reason: 'dueAt is required on a received event' },
      { row: 6, column: 'Cấp', field: 'administrativeLevel', reason: expect.stringContaining('"Trung ương"') },
    ]);
  });

  it('reads the English field names with commas and ISO times', async () => {
    const csv = [
      'dossierId,procedureCode,procedureName,agencyName,administrativeLevel,onlineServiceLevel,channel,event,occurredAt,dueAt',
      'X-1,1.001612,"Đăng ký thành lập hộ kinh doanh, cá thể",UBND huyện Điện Biên,district,partial,inPerson,received,2025-03-03T08:00:00+07:00,2025-03-06T17:00:00+07:00',
    ].join('\n');
    const result = await readDossierFile(Buffer.from(csv), 'csv', { maxRows: 10 });
    expect(result.rejected).toEqual([]);
    expect(result.events[0]).toMatchObject({ agencyCode: 'ubnd-huyen-dien-bien', procedureName: 'Đăng ký thành lập hộ kinh doanh, cá thể' });
  });

  it('refuses a file without a required column, naming it', async () => {
    await expect(readDossierFile(Buffer.from('Mã hồ sơ,Sự kiện\nA,Tiếp nhận\n'), 'csv', { maxRows: 10 })).rejects.toMatchObject({
      code: 'IOC_ERR_VALIDATION',
      message: expect.stringContaining('"mã thủ tục" (procedureCode)'),
    });
  });

  it('refuses a file over the row limit', async () => {
    await expect(readDossierFile(Buffer.from(VIETNAMESE_CSV), 'csv', { maxRows: 4 })).rejects.toMatchObject({ code: 'IOC_ERR_VALIDATION' });
  });
});

describe('readDossierFile (XLSX)', () => {
  it('reads date cells as Vietnam wall-clock time and numeric levels', async () => {
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Hồ sơ');
    sheet.addRow(['Mã hồ sơ', 'Mã thủ tục', 'Tên thủ tục', 'Cơ quan', 'Cấp', 'Mức độ DVC', 'Kênh', 'Sự kiện', 'Thời điểm', 'Hạn xử lý']);
    sheet.addRow(['HS-9', '1.000656', 'Cấp giấy phép xây dựng', 'Sở Xây dựng', 'Tỉnh', 4, 'Trực tuyến', 'Tiếp nhận', new Date(Date.UTC(2025, 2, 3, 8, 30)), new Date(Date.UTC(2025, 2, 31))]);
    sheet.addRow(['HS-9', '1.000656', 'Cấp giấy phép xây dựng', 'Sở Xây dựng', 'Tỉnh', 4, 'Trực tuyến', 'Nộp lại', new Date(Date.UTC(2025, 2, 4, 8, 30)), null]);
    const bytes = Buffer.from(await workbook.xlsx.writeBuffer());
    const result = await readDossierFile(bytes, 'xlsx', { maxRows: 10 });
    expect(result.events).toEqual([
      expect.objectContaining({ dossierId: 'HS-9', agencyCode: 'so-xay-dung', onlineServiceLevel: 'full', occurredAt: '2025-03-03T08:30:00+07:00', dueAt: '2025-03-31T23:59:59+07:00' }),
    ]);
    expect(result.rejected).toEqual([{ row: 3, column: 'Sự kiện', field: 'event', reason: expect.stringContaining('"Nộp lại"') }]);
  });

  it('refuses bytes that are not a workbook', async () => {
    await expect(readDossierFile(Buffer.from('not a zip'), 'xlsx', { maxRows: 10 })).rejects.toMatchObject({ code: 'IOC_ERR_VALIDATION' });
  });
});

describe('cell values', () => {
  it.each([
    { value: '03/03/2025 08:15', endOfDay: false, expected: '2025-03-03T08:15:00+07:00' },
    { value: '3/3/2025 8:15:30', endOfDay: false, expected: '2025-03-03T08:15:30+07:00' },
    { value: '17/03/2025', endOfDay: true, expected: '2025-03-17T23:59:59+07:00' },
    { value: '17/03/2025', endOfDay: false, expected: '2025-03-17T00:00:00+07:00' },
    { value: '2025-03-03T08:00', endOfDay: false, expected: '2025-03-03T08:00:00+07:00' },
    { value: '2025-03-03T01:00:00Z', endOfDay: false, expected: '2025-03-03T01:00:00Z' },
    { value: '30/02/2025 08:00', endOfDay: false, expected: undefined },
  ])('$value (end of day: $endOfDay) → $expected', ({ value, endOfDay, expected }) => {
    expect(parseVietnamTime(value, endOfDay)).toBe(expected);
  });

  it.each([
    ['Mức độ DVC', 'muc do dvc'],
    ['  Hạn   xử lý ', 'han xu ly'],
    ['Đăng ký', 'dang ky'],
  ])('folds %s to %s', (text, folded) => {
    expect(foldText(text)).toBe(folded);
  });

  it('makes an agency code from a Vietnamese name', () => {
    expect(agencyCodeFromName('Sở Lao động – Thương binh và Xã hội')).toBe('so-lao-dong-thuong-binh-va-xa-hoi');
  });
});
