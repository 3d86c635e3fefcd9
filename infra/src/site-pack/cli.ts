import { parseArgs } from 'node:util';
import path from 'node:path';
import { iocError } from '@ioc/schemas';
import { buildSitePack } from './build-site-pack';

export const BUILD_SITE_PACK_USAGE =
  'ioc build-site-pack --osm FILE(.osm|.osm.pbf) --boundaries FILE.geojson --out DIR [--name NAME] [--clip] [--cameras FILE] [--sensors FILE]';

/** `ioc build-site-pack`: prints the manifest (counts, bounds, attribution) as JSON. */
export function buildSitePackCommand(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      osm: { type: 'string' },
      boundaries: { type: 'string' },
      out: { type: 'string' },
      name: { type: 'string' },
      clip: { type: 'boolean', default: false },
      cameras: { type: 'string' },
      sensors: { type: 'string' },
    },
    strict: true,
  });
  for (const key of ['osm', 'boundaries', 'out'] as const) {
    if (!values[key]) throw iocError('IOC_ERR_VALIDATION', `ioc build-site-pack needs --${key}\n${BUILD_SITE_PACK_USAGE}`, { issues: [{ path: key, reason: 'required' }] });
  }
  const pack = buildSitePack({
    osmPath: values.osm as string,
    boundariesPath: values.boundaries as string,
    outDirectory: path.resolve(values.out as string),
    clipBoundaries: values.clip,
    ...(values.name ? { name: values.name } : {}),
    ...(values.cameras ? { camerasPath: values.cameras } : {}),
    ...(values.sensors ? { sensorsPath: values.sensors } : {}),
  });
  process.stdout.write(`${JSON.stringify(pack.manifest, null, 2)}\n`);
  return 0;
}
