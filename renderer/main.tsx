import { StrictMode, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import type { DesktopBridge } from '../common/bridge.js';
import { createHttpApi } from './api/http.js';
import { AppContext, CallContext, DevicesContext, GroupCallContext, GuestContext, StoreContext } from './app/AppContext.js';
import { AppController } from './app/AppController.js';
import { HostLink } from './app/HostLink.js';
import { createOutboxStorage } from './app/outboxStorage.js';
import { parseRoute, sameRoute } from './app/route.js';
import { getBridge } from './bridge/getBridge.js';
import { CallController } from './call/CallController.js';
import { Ringer } from './call/Ringer.js';
import { App } from './components/App.js';
import { GuestPage } from './components/GuestPage.js';
import { RingWindow } from './components/RingWindow.js';
import { DeviceManager } from './devices/DeviceManager.js';
import { GroupCallController } from './group/GroupCallController.js';
import { guestBridge } from './guest/guestBridge.js';
import { GuestController } from './guest/GuestController.js';
import { SignalingClient } from './signaling/SignalingClient.js';
import { httpBaseUrl, webSocketUrl } from './signaling/serverUrls.js';
import { createAppStore, type AppStore } from './store/index.js';

/** Entry point: the guest page for `#/guest/<id>`, the ring window for `#/ring`, the member app otherwise. */
async function main(): Promise<void> {
  const route = parseRoute(window.location.hash);
  // Each page wires different controllers: moving between them (a guest link pasted into a
  // member's tab, or back) starts the page afresh.
  window.addEventListener('hashchange', () => {
    if (!sameRoute(parseRoute(window.location.hash), route)) window.location.reload();
  });
  const bridge = getBridge();
  if (route.kind === 'ring') {
    startRingWindow(bridge);
    return;
  }
  const serverUrl = await bridge.getSetting('serverUrl').catch(() => '');
  const base = httpBaseUrl(serverUrl, window.location.origin);
  if (route.kind === 'guest') await startGuestPage(bridge, base, route.conversationId);
  else await startMemberApp(bridge, base);
}

/** The signed-in app: wire bridge, API, store and controllers, then render. */
async function startMemberApp(bridge: DesktopBridge, base: string): Promise<void> {
  const store = createAppStore();
  const controller = new AppController({
    store,
    bridge,
    api: createHttpApi({ baseUrl: base }),
    createClient: (token) => new SignalingClient({ url: webSocketUrl(base), token }),
    isPageVisible: () => document.visibilityState === 'visible',
    outbox: createOutboxStorage(safeLocalStorage()),
    webClientUrl: base,
  });

  // Calls open the chosen microphone; the ringtone plays on the ring device at the ring volume,
  // the ringback (my own outgoing call) on the call speaker.
  const microphoneId = () => store.getState().activeDevices.microphone;
  const ringer = new Ringer({
    output: (kind) => {
      const { activeDevices, ringVolume } = store.getState();
      return kind === 'ringtone' ? { sinkId: activeDevices.ringDevice, volume: ringVolume } : { sinkId: activeDevices.speaker, volume: 0.8 };
    },
  });
  const calls = new CallController({ store, bridge, ringer, microphoneId });
  controller.onClient((client) => calls.attach(client));
  const groupCalls = new GroupCallController({ store, bridge, microphoneId });
  controller.onClient((client) => groupCalls.attach(client));
  const devices = new DeviceManager({
    store,
    bridge,
    mediaDevices: navigator.mediaDevices ?? null,
    permissions: navigator.permissions ?? null,
    // A new choice, an unplugged device's fallback or its return: move the live call over.
    onMicrophoneChange: (deviceId) => {
      void calls.switchMicrophone(deviceId);
      void groupCalls.switchMicrophone(deviceId);
    },
  });
  const host = new HostLink({ store, bridge, app: controller, calls, groupCalls, devices });
  host.start();

  document.addEventListener('visibilitychange', () => controller.setPageVisible(document.visibilityState === 'visible'));
  window.addEventListener('online', () => controller.networkOnline());
  // Leave the group call first (while the socket is still open), so the others see it at once.
  window.addEventListener('pagehide', () => void groupCalls.leave());
  window.addEventListener('pagehide', () => controller.dispose());
  window.addEventListener('pagehide', () => host.dispose());
  window.addEventListener('pagehide', () => devices.dispose());

  render(
    store,
    <AppContext.Provider value={controller}>
      <CallContext.Provider value={calls}>
        <GroupCallContext.Provider value={groupCalls}>
          <DevicesContext.Provider value={devices}>
            <App />
          </DevicesContext.Provider>
        </GroupCallContext.Provider>
      </CallContext.Provider>
    </AppContext.Provider>,
  );
  await Promise.all([controller.start(), devices.start()]);
}

/** The desktop ring window: the ring from the host and its answer buttons; no server connection, no store. */
function startRingWindow(bridge: DesktopBridge): void {
  document.title = 'Incoming call — Earshot';
  const root = document.getElementById('root');
  if (!root) throw new Error('#root missing from index.html');
  createRoot(root).render(
    <StrictMode>
      <RingWindow bridge={bridge} />
    </StrictMode>,
  );
}

/**
 * The guest page of one room. No AppController: nothing here reads or writes the member's
 * stored session (the bridge it gets cannot), and the guest token lives in memory only.
 */
async function startGuestPage(bridge: DesktopBridge, base: string, conversationId: number | null): Promise<void> {
  const store = createAppStore();
  const groupCalls = new GroupCallController({ store, bridge: guestBridge(bridge) });
  const guest = new GuestController({
    store,
    api: createHttpApi({ baseUrl: base }),
    createClient: (token) => new SignalingClient({ url: webSocketUrl(base), token }),
    groupCalls,
    conversationId,
  });
  window.addEventListener('online', () => guest.networkOnline());
  window.addEventListener('pagehide', () => guest.dispose());
  render(
    store,
    <GuestContext.Provider value={guest}>
      <GroupCallContext.Provider value={groupCalls}>
        <GuestPage />
      </GroupCallContext.Provider>
    </GuestContext.Provider>,
  );
  await guest.start();
}

function render(store: AppStore, tree: ReactNode): void {
  const root = document.getElementById('root');
  if (!root) throw new Error('#root missing from index.html');
  createRoot(root).render(
    <StrictMode>
      <StoreContext.Provider value={store}>{tree}</StoreContext.Provider>
    </StrictMode>,
  );
}

function safeLocalStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null; // Blocked storage throws on access.
  }
}

void main();
