/**
 * The measured properties a province's sensors report, with their units, the physically plausible range
 * (values outside are rejected as sensor faults) and the levels the wall colours by.
 * Level thresholds: PM from Vietnam's VN_AQI bands (QCVN 05:2023 daily limits 50 µg/m³ PM2.5, 100 µg/m³ PM10);
 * noise from QCVN 26:2010 (70 dB(A) daytime limit for ordinary areas); water level at flood points as
 * depth above the road surface, where 15 cm already stops motorbikes.
 */
export const SENSOR_PROPERTIES = {
  pm25: { unit: 'µg/m³', minValue: 0, maxValue: 1000, levelThresholds: [25, 50, 80, 150], labelVi: 'Bụi PM2.5', labelEn: 'PM2.5' },
  pm10: { unit: 'µg/m³', minValue: 0, maxValue: 2000, levelThresholds: [50, 100, 150, 250], labelVi: 'Bụi PM10', labelEn: 'PM10' },
  noiseLAeq: { unit: 'dB(A)', minValue: 0, maxValue: 160, levelThresholds: [55, 70, 80, 90], labelVi: 'Tiếng ồn', labelEn: 'Noise' },
  waterLevelCm: { unit: 'cm', minValue: -500, maxValue: 2000, levelThresholds: [5, 15, 30, 50], labelVi: 'Mực nước ngập', labelEn: 'Flood water level' },
  vehicleCount: { unit: 'vehicles/min', minValue: 0, maxValue: 10000, levelThresholds: [20, 40, 60, 80], labelVi: 'Lưu lượng xe', labelEn: 'Vehicle count' },
} as const;

export type SensorProperty = keyof typeof SENSOR_PROPERTIES;
export const SENSOR_PROPERTY_NAMES = Object.keys(SENSOR_PROPERTIES) as [SensorProperty, ...SensorProperty[]];

/** 0 good … 4 very bad: the index of the first threshold the value is below; pure, used by wall and alerts alike. */
export function levelOf(property: SensorProperty, value: number): 0 | 1 | 2 | 3 | 4 {
  const thresholds = SENSOR_PROPERTIES[property].levelThresholds;
  for (let index = 0; index < thresholds.length; index += 1) {
    if (value < (thresholds[index] as number)) return index as 0 | 1 | 2 | 3;
  }
  return 4;
}
