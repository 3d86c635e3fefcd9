import { deviceSchema, type Device, type DeviceInput, type SensorProperty, type Site } from '@ioc/schemas';
import { demoDistricts } from './boundaries';

/**
 * The demo province: modelled on Điện Biên, with hand-drawn district outlines (see boundaries.ts) and the
 * simulated sensors a province of its size runs — air quality and noise in the towns, flood gauges along
 * the Nậm Rốm river through Điện Biên Phủ, and induction loops on the main roads (QL279, QL6).
 * Everything here is invented for the demo; positions are only roughly where such devices would stand.
 */
export const DEMO_SITE: Site = {
  name: 'Tỉnh Điện Biên (dữ liệu mô phỏng)',
  center: [103.02, 21.39],
  zoom: 10,
  districts: demoDistricts(),
};

type DemoKind = 'airQuality' | 'noise' | 'waterLevel' | 'loop';

const PROPERTIES_BY_KIND: Record<DemoKind, SensorProperty[]> = {
  airQuality: ['pm25', 'pm10'],
  noise: ['noiseLAeq'],
  waterLevel: ['waterLevelCm'],
  loop: ['vehicleCount'],
};

/**
 * Report intervals are shorter than real stations use (air quality stations report every minute or more)
 * so that the wall visibly moves during a demo.
 */
const DEFAULT_INTERVAL_SECONDS: Record<DemoKind, number> = { airQuality: 10, noise: 5, waterLevel: 15, loop: 15 };

interface DemoDeviceEntry {
  id: string;
  kind: DemoKind;
  name: string;
  districtCode: string;
  longitude: number;
  latitude: number;
  reportIntervalSeconds?: number;
}

const CITY = '094';
const MUONG_LAY = '095';
const TUAN_GIAO = '099';
const DIEN_BIEN = '100';
const MUONG_ANG = '102';

const DEMO_DEVICE_TABLE: readonly DemoDeviceEntry[] = [
  // Air quality (PM2.5, PM10)
  { id: 'dbp-aq-muong-thanh', kind: 'airQuality', name: 'Quan trắc không khí phường Mường Thanh', districtCode: CITY, longitude: 103.021, latitude: 21.389 },
  { id: 'dbp-aq-him-lam', kind: 'airQuality', name: 'Quan trắc không khí phường Him Lam', districtCode: CITY, longitude: 103.04, latitude: 21.375 },
  { id: 'dbp-aq-tan-thanh', kind: 'airQuality', name: 'Quan trắc không khí phường Tân Thanh', districtCode: CITY, longitude: 103.026, latitude: 21.401 },
  { id: 'dbp-aq-noong-bua', kind: 'airQuality', name: 'Quan trắc không khí phường Noong Bua', districtCode: CITY, longitude: 103.046, latitude: 21.424 },
  { id: 'db-aq-thanh-xuong', kind: 'airQuality', name: 'Quan trắc không khí xã Thanh Xương', districtCode: DIEN_BIEN, longitude: 103.02, latitude: 21.31 },
  { id: 'tg-aq-thi-tran', kind: 'airQuality', name: 'Quan trắc không khí thị trấn Tuần Giáo', districtCode: TUAN_GIAO, longitude: 103.42, latitude: 21.59 },
  { id: 'ma-aq-thi-tran', kind: 'airQuality', name: 'Quan trắc không khí thị trấn Mường Ảng', districtCode: MUONG_ANG, longitude: 103.22, latitude: 21.5 },
  { id: 'ml-aq-na-lay', kind: 'airQuality', name: 'Quan trắc không khí phường Na Lay, Mường Lay', districtCode: MUONG_LAY, longitude: 103.16, latitude: 22.05, reportIntervalSeconds: 15 },
  // Noise (LAeq)
  { id: 'dbp-noise-bach-hoa', kind: 'noise', name: 'Tiếng ồn ngã tư Bách hóa', districtCode: CITY, longitude: 103.018, latitude: 21.393 },
  { id: 'dbp-noise-cho-trung-tam', kind: 'noise', name: 'Tiếng ồn chợ Trung tâm I', districtCode: CITY, longitude: 103.013, latitude: 21.385 },
  { id: 'dbp-noise-san-bay', kind: 'noise', name: 'Tiếng ồn Cảng hàng không Điện Biên', districtCode: CITY, longitude: 103.005, latitude: 21.4 },
  { id: 'dbp-noise-ben-xe', kind: 'noise', name: 'Tiếng ồn bến xe khách Điện Biên Phủ', districtCode: CITY, longitude: 103.035, latitude: 21.364 },
  { id: 'tg-noise-nga-ba', kind: 'noise', name: 'Tiếng ồn ngã ba QL6 – QL279 Tuần Giáo', districtCode: TUAN_GIAO, longitude: 103.415, latitude: 21.585, reportIntervalSeconds: 10 },
  // Flood gauges along the Nậm Rốm, upstream to downstream
  { id: 'db-flood-thanh-nua', kind: 'waterLevel', name: 'Điểm đo ngập Thanh Nưa (sông Nậm Rốm)', districtCode: DIEN_BIEN, longitude: 103.0, latitude: 21.47 },
  { id: 'dbp-flood-cau-nam-thanh', kind: 'waterLevel', name: 'Điểm đo ngập cầu Nậm Thanh (sông Nậm Rốm)', districtCode: CITY, longitude: 103.022, latitude: 21.425 },
  { id: 'dbp-flood-cau-muong-thanh', kind: 'waterLevel', name: 'Điểm đo ngập cầu Mường Thanh (sông Nậm Rốm)', districtCode: CITY, longitude: 103.016, latitude: 21.387 },
  { id: 'dbp-flood-cau-a1', kind: 'waterLevel', name: 'Điểm đo ngập cầu A1 (sông Nậm Rốm)', districtCode: CITY, longitude: 103.014, latitude: 21.378 },
  { id: 'dbp-flood-cau-thanh-binh', kind: 'waterLevel', name: 'Điểm đo ngập cầu Thanh Bình (sông Nậm Rốm)', districtCode: CITY, longitude: 103.01, latitude: 21.366 },
  { id: 'db-flood-thanh-xuong', kind: 'waterLevel', name: 'Điểm đo ngập Thanh Xương (sông Nậm Rốm)', districtCode: DIEN_BIEN, longitude: 103.005, latitude: 21.315 },
  { id: 'db-flood-thanh-an', kind: 'waterLevel', name: 'Điểm đo ngập Thanh An (sông Nậm Rốm)', districtCode: DIEN_BIEN, longitude: 102.995, latitude: 21.255 },
  // Induction loops (vehicles per minute)
  { id: 'dbp-loop-bach-hoa', kind: 'loop', name: 'Vòng từ đường Võ Nguyên Giáp – ngã tư Bách hóa', districtCode: CITY, longitude: 103.019, latitude: 21.391 },
  { id: 'dbp-loop-ta-leng', kind: 'loop', name: 'Vòng từ ngã tư Tà Lèng', districtCode: CITY, longitude: 103.055, latitude: 21.39, reportIntervalSeconds: 20 },
  { id: 'dbp-loop-him-lam', kind: 'loop', name: 'Vòng từ ngã ba Him Lam', districtCode: CITY, longitude: 103.045, latitude: 21.37 },
  { id: 'dbp-loop-cau-thanh-binh', kind: 'loop', name: 'Vòng từ cầu Thanh Bình', districtCode: CITY, longitude: 103.012, latitude: 21.366, reportIntervalSeconds: 20 },
  { id: 'dbp-loop-noong-bua', kind: 'loop', name: 'Vòng từ QL279 – Noong Bua', districtCode: CITY, longitude: 103.04, latitude: 21.432, reportIntervalSeconds: 30 },
  { id: 'ma-loop-ql279', kind: 'loop', name: 'Vòng từ QL279 – thị trấn Mường Ảng', districtCode: MUONG_ANG, longitude: 103.215, latitude: 21.505, reportIntervalSeconds: 30 },
  { id: 'tg-loop-ql6', kind: 'loop', name: 'Vòng từ QL6 – thị trấn Tuần Giáo', districtCode: TUAN_GIAO, longitude: 103.425, latitude: 21.595, reportIntervalSeconds: 20 },
];

/** The demo devices as Smart Data Models `Device` entities (a fresh array on every call). */
export function demoDevices(): Device[] {
  return DEMO_DEVICE_TABLE.map((entry) => {
    const input: DeviceInput = {
      id: entry.id,
      type: 'Device',
      name: entry.name,
      category: 'sensor',
      controlledProperty: [...PROPERTIES_BY_KIND[entry.kind]],
      location: { type: 'Point', coordinates: [entry.longitude, entry.latitude] },
      districtCode: entry.districtCode,
      deviceState: 'ok',
      reportIntervalSeconds: entry.reportIntervalSeconds ?? DEFAULT_INTERVAL_SECONDS[entry.kind],
    };
    return deviceSchema.parse(input);
  });
}
