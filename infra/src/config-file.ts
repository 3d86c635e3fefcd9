import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { iocError, resolveConfig, type IocConfig } from '@ioc/schemas';

/**
 * Reads `ioc.config.json` (or the file named by IOC_CONFIG), applies IOC_* overrides and validates once.
 * No file means all defaults: the embedded mode.
 */
export function loadConfig(env: Record<string, string | undefined> = process.env, cwd = process.cwd()): Readonly<IocConfig> {
  const explicit = env.IOC_CONFIG;
  const filePath = path.resolve(cwd, explicit ?? 'ioc.config.json');
  let content: unknown;
  if (existsSync(filePath)) {
    try {
      content = JSON.parse(readFileSync(filePath, 'utf8'));
    } catch (err) {
      throw iocError('IOC_ERR_CONFIG', `${filePath}: not valid JSON (${(err as Error).message})`);
    }
  } else if (explicit) {
    throw iocError('IOC_ERR_CONFIG', `IOC_CONFIG names ${filePath}, which does not exist`);
  }
  return resolveConfig(content, env, existsSync(filePath) ? filePath : 'defaults');
}
