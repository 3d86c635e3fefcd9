import './jitless';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@fontsource/be-vietnam-pro/400.css';
import '@fontsource/be-vietnam-pro/600.css';
import '@fontsource/be-vietnam-pro/700.css';
import './wall.css';
import { App } from './App';
import { HookRegistry, installHooks } from './hooks';
import { WallConnection } from './live/connection';
import { createFeeds } from './live/feeds';
import { PublicLive } from './live/public-live';
import { WallStore } from './live/store';
import { ValueStore } from './live/value-store';
import { installWatchdog } from './live/watchdog-runtime';
import { parseWallParams } from './params';
import { initialTally, recordCameraSample } from './state/traffic';
import { themeVariables } from './theme';

for (const [name, value] of Object.entries(themeVariables())) document.documentElement.style.setProperty(name, value);

const params = parseWallParams(window.location.search);
const store = new WallStore(Date.now());
const registry = new HookRegistry(params.property);
installHooks(store, registry);
installWatchdog(registry);

// Every camera poll books the counts' increase to the hour (traffic volume, vehicle mix).
const feeds = createFeeds();
const tally = new ValueStore(initialTally());
let lastCameraVersion = -1;
feeds.cameras.subscribe(() => {
  const feed = feeds.cameras.state;
  if (feed.data && feed.lastOkAtMs !== undefined && feed.version !== lastCameraVersion && feed.lastAttemptAtMs === feed.lastOkAtMs) {
    lastCameraVersion = feed.version;
    tally.set(recordCameraSample(tally.value, feed.data, feed.lastOkAtMs));
  }
});

/**
 * deck.gl draws text from a glyph atlas it renders once with the font it finds; wait (briefly) for
 * Be Vietnam Pro with Vietnamese glyphs so the atlas is not drawn with a fallback font.
 */
function fontsLoaded(timeoutMs: number): Promise<void> {
  const sample = 'Đường Mường Thanh ạ 0123456789,.';
  const loads = Promise.all(['400', '600', '700'].map((weight) => document.fonts.load(`${weight} 32px "Be Vietnam Pro"`, sample))).then(() => undefined);
  return Promise.race([loads, new Promise<void>((resolve) => setTimeout(resolve, timeoutMs))]).catch(() => undefined);
}

const connection = new WallConnection(store);
// Field reports and incidents: their polls, and their alerts from the socket in between.
const publicLive = new PublicLive(feeds);
publicLive.start(connection);
const config = connection.start();

void fontsLoaded(4000).then(() => {
  const root = document.getElementById('root');
  if (!root) throw new Error('index.html has no #root');
  createRoot(root).render(
    <StrictMode>
      <App store={store} connection={connection} registry={registry} initialParams={params} config={config} feeds={feeds} tally={tally} publicLive={publicLive} />
    </StrictMode>,
  );
});
