import { SENSOR_PROPERTIES, type SensorProperty } from '@ioc/schemas';
import { DEFAULT_LANG, type Lang } from './i18n';
import { isSceneId, type SceneId } from './scenes';

export interface WallParams {
  lang: Lang;
  /** Kiosk: no switches, no chrome; the wall as the control room sees it. */
  kiosk: boolean;
  property: SensorProperty;
  /** A pinned scene (`?scene=traffic`); rotation otherwise. */
  scene: SceneId | undefined;
  /** Seconds per scene (`?rotate=60`); 0 stops rotation. */
  rotateSeconds: number;
}

export const DEFAULT_ROTATE_SECONDS = 60;

export const DEFAULT_PROPERTY: SensorProperty = 'pm25';

/** `?lang=en&kiosk=1&property=noiseLAeq&scene=traffic&rotate=30`; anything unknown falls back to the default. */
export function parseWallParams(search: string): WallParams {
  const params = new URLSearchParams(search);
  const lang = params.get('lang')?.toLowerCase();
  const kiosk = params.get('kiosk');
  const property = params.get('property');
  const scene = params.get('scene');
  const rotate = Number(params.get('rotate') ?? DEFAULT_ROTATE_SECONDS);
  return {
    scene: isSceneId(scene) ? scene : undefined,
    rotateSeconds: Number.isFinite(rotate) && rotate >= 0 ? Math.min(rotate, 86_400) : DEFAULT_ROTATE_SECONDS,
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
  if (params.scene) query.set('scene', params.scene);
  else query.delete('scene');
  if (params.rotateSeconds === DEFAULT_ROTATE_SECONDS) query.delete('rotate');
  else query.set('rotate', String(params.rotateSeconds));
  const text = query.toString();
  return text ? `?${text}` : '';
}
