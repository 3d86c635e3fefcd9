import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV_OVERRIDES, resolveConfig } from './config';
import { IocError } from './errors';

const rootReadme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

function configError(file: unknown, env: Record<string, string> = {}): IocError {
  try {
    resolveConfig(file, env);
  } catch (err) {
    if (err instanceof IocError) return err;
    throw err;
  }
  throw new Error('expected a configuration error');
}

describe('resolveConfig', () => {
  it('gives the embedded defaults with no file and no environment', () => {
    const config = resolveConfig(undefined, {});
    expect(config.server.port).toBe(8080);
    expect(config.database.url).toBeUndefined();
    expect(config.mqtt.url).toBeUndefined();
    expect(config.demo.enabled).toBe(true);
    expect(Object.isFrozen(config.server)).toBe(true);
  });

  it.each([
    { name: 'unknown top-level key', file: { sever: {} }, path: '(root)', reason: /sever/ },
    { name: 'unknown nested key', file: { server: { prot: 1 } }, path: 'server', reason: /prot/ },
    { name: 'port out of range', file: { server: { port: 70000 } }, path: 'server.port', reason: /65535/ },
    { name: 'wrong type', file: { demo: { enabled: 'yes' } }, path: 'demo.enabled', reason: /boolean/ },
    { name: 'cross-field: styleUrl without url', file: { basemap: { kind: 'styleUrl' } }, path: 'basemap.url', reason: /required/ },
    { name: 'database url scheme', file: { database: { url: 'mysql://x' } }, path: 'database.url', reason: /postgres/ },
  ])('rejects $name, naming the path', ({ file, path, reason }) => {
    const error = configError(file);
    expect(error.code).toBe('IOC_ERR_CONFIG');
    const issue = error.issues.find((candidate) => candidate.path === path);
    expect(issue, JSON.stringify(error.issues)).toBeDefined();
    expect(`${issue?.reason} ${error.message}`).toMatch(reason);
  });

  it.each([
    { name: 'IOC_PORT', env: { IOC_PORT: '9090' }, read: (c: ReturnType<typeof resolveConfig>) => c.server.port, expected: 9090 },
    { name: 'DATABASE_URL', env: { DATABASE_URL: 'postgres://u:p@db:5432/ioc' }, read: (c: ReturnType<typeof resolveConfig>) => c.database.url, expected: 'postgres://u:p@db:5432/ioc' },
    { name: 'IOC_DEMO=false', env: { IOC_DEMO: 'false' }, read: (c: ReturnType<typeof resolveConfig>) => c.demo.enabled, expected: false },
  ])('applies the environment override $name over the file', ({ env, read, expected }) => {
    expect(read(resolveConfig({ server: { port: 8081 } }, env))).toBe(expected);
  });

  it.each([
    { env: { IOC_PORT: 'eighty' }, message: /IOC_PORT: expected an integer/ },
    { env: { IOC_DEMO: 'maybe' }, message: /IOC_DEMO: expected true\/false/ },
  ] as Array<{ env: Record<string, string>; message: RegExp }>)('rejects a malformed override: $message', ({ env, message }) => {
    expect(configError(undefined, env).message).toMatch(message);
  });

  it.each(Object.keys(ENV_OVERRIDES))('documents %s in the README', (name) => {
    expect(rootReadme).toContain(`\`${name}\``);
  });
});
