import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createHttpApi } from './api/http.js';
import { AppContext, CallContext, GroupCallContext } from './app/AppContext.js';
import { AppController } from './app/AppController.js';
import { createOutboxStorage } from './app/outboxStorage.js';
import { getBridge } from './bridge/getBridge.js';
import { CallController } from './call/CallController.js';
import { App } from './components/App.js';
import { GroupCallController } from './group/GroupCallController.js';
import { SignalingClient } from './signaling/SignalingClient.js';
import { httpBaseUrl, webSocketUrl } from './signaling/serverUrls.js';
import { createAppStore } from './store/index.js';

/** Entry point: wire bridge, API, store and controller, then render. */
async function main(): Promise<void> {
  const bridge = getBridge();
  const serverUrl = await bridge.getSetting('serverUrl').catch(() => '');
  const base = httpBaseUrl(serverUrl, window.location.origin);
  const store = createAppStore();
  const controller = new AppController({
    store,
    bridge,
    api: createHttpApi({ baseUrl: base }),
    createClient: (token) => new SignalingClient({ url: webSocketUrl(base), token }),
    isPageVisible: () => document.visibilityState === 'visible',
    outbox: createOutboxStorage(safeLocalStorage()),
  });

  const calls = new CallController({ store, bridge });
  controller.onClient((client) => calls.attach(client));
  const groupCalls = new GroupCallController({ store, bridge });
  controller.onClient((client) => groupCalls.attach(client));

  document.addEventListener('visibilitychange', () => controller.setPageVisible(document.visibilityState === 'visible'));
  window.addEventListener('online', () => controller.networkOnline());
  // Leave the group call first (while the socket is still open), so the others see it at once.
  window.addEventListener('pagehide', () => void groupCalls.leave());
  window.addEventListener('pagehide', () => controller.dispose());

  const root = document.getElementById('root');
  if (!root) throw new Error('#root missing from index.html');
  createRoot(root).render(
    <StrictMode>
      <AppContext.Provider value={controller}>
        <CallContext.Provider value={calls}>
          <GroupCallContext.Provider value={groupCalls}>
            <App />
          </GroupCallContext.Provider>
        </CallContext.Provider>
      </AppContext.Provider>
    </StrictMode>,
  );
  await controller.start();
}

function safeLocalStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null; // Blocked storage throws on access.
  }
}

void main();
