import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Flags for Debian's Chromium as root in a closed network (see the README's test notes). */
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Debian's real Chromium, driven by playwright-core, with a fresh profile directory. Never a downloaded browser. */
export async function launchChromium(viewport = { width: 1920, height: 1080 }): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (bash infra/scripts/install-test-deps.sh)`);
  const userDataDirectory = mkdtempSync(path.join(tmpdir(), 'ioc-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDirectory, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport,
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(userDataDirectory, { recursive: true, force: true });
    },
  };
}

export const ARTIFACTS_DIRECTORY = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../test-artifacts');
