import { SENSOR_PROPERTIES, type SensorProperty } from '@ioc/schemas';
import { DEFAULT_LANG, type Lang } from './i18n';

export interface WallParams {
  lang: Lang;
  /** Kiosk: no switches, no chrome; the wall as the control room sees it. */
  kiosk: boolean;
  property: SensorProperty;
}

export const DEFAULT_PROPERTY: SensorProperty = 'pm25';

/** `?lang=en&kiosk=1&property=noiseLAeq`; anything unknown falls back to the default. */
export function parseWallParams(search: string): WallParams {
  const params = new URLSearchParams(search);
  const lang = params.get('lang')?.toLowerCase();
  const kiosk = params.get('kiosk');
  const property = params.get('property');
  return {
    lang: lang === 'en' || lang === 'vi' ? lang : DEFAULT_LANG,
    kiosk: kiosk === '1' || kiosk === 'true' || kiosk === '',
    property: property && property in SENSOR_PROPERTIES ? (property as SensorProperty) : DEFAULT_PROPERTY,
  };
}

/** The query string for `params`, keeping unrelated parameters and leaving defaults out. */
export function formatWallParams(search: string, params: WallParams): string {
  const query = new URLSearchParams(search);
  if (params.lang === DEFAULT_LANG) query.delete('lang');
  else query.set('lang', params.lang);
  if (params.kiosk) query.set('kiosk', '1');
  else query.delete('kiosk');
  if (params.property === DEFAULT_PROPERTY) query.delete('property');
  else query.set('property', params.property);
  const text = query.toString();
  return text ? `?${text}` : '';
}
