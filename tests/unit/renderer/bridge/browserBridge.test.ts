import { describe, expect, it, vi } from 'vitest';
import { STORAGE_KEYS, createBrowserBridge } from '../../../../renderer/bridge/browserBridge.js';

function memoryStorage() {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
  };
}

describe('browserBridge', () => {
  it('keeps the token in storage under a namespaced key', async () => {
    const storage = memoryStorage();
    const bridge = createBrowserBridge({ storage, Notification: null, document: null });
    await bridge.setSessionToken('abc');
    expect(storage.map.get(STORAGE_KEYS.token)).toBe('abc');
    expect(await bridge.getSessionToken()).toBe('abc');
    await bridge.setSessionToken(null);
    expect(await bridge.getSessionToken()).toBeNull();
  });

  it('returns defaults for missing or malformed settings', async () => {
    const storage = memoryStorage();
    const bridge = createBrowserBridge({ storage, Notification: null, document: null });
    expect(await bridge.getSetting('messageNotifications')).toBe(true);
    storage.map.set(STORAGE_KEYS.setting('serverUrl'), '{bad');
    expect(await bridge.getSetting('serverUrl')).toBe('');
    await bridge.setSetting('messageNotifications', false);
    expect(await bridge.getSetting('messageNotifications')).toBe(false);
  });

  it('validates settings with the schema on read and write (device choices are objects or null)', async () => {
    const storage = memoryStorage();
    const bridge = createBrowserBridge({ storage, Notification: null, document: null });
    expect(await bridge.getSetting('microphone')).toBeNull();
    await bridge.setSetting('microphone', { id: 'abc', label: 'Headset Mic' });
    expect(await bridge.getSetting('microphone')).toEqual({ id: 'abc', label: 'Headset Mic' });
    await bridge.setSetting('microphone', null);
    expect(await bridge.getSetting('microphone')).toBeNull();

    // Stored values the schema refuses read as the default.
    storage.map.set(STORAGE_KEYS.setting('speaker'), JSON.stringify({ id: 7 }));
    storage.map.set(STORAGE_KEYS.setting('ringVolume'), '3');
    storage.map.set(STORAGE_KEYS.setting('closeToTray'), '"yes"');
    expect(await bridge.getSetting('speaker')).toBeNull();
    expect(await bridge.getSetting('ringVolume')).toBe(0.8);
    expect(await bridge.getSetting('closeToTray')).toBe(true);

    // Writes the schema refuses throw and store nothing.
    await expect(bridge.setSetting('ringVolume', 2)).rejects.toThrow();
    await expect(bridge.setSetting('muteShortcut', 'x'.repeat(65))).rejects.toThrow();
    expect(storage.map.has(STORAGE_KEYS.setting('muteShortcut'))).toBe(false);
  });

  it('puts the unread count in front of the page title', async () => {
    const document = { title: 'Earshot' };
    const bridge = createBrowserBridge({ storage: null, Notification: null, document });
    await bridge.setBadgeCount(3);
    expect(document.title).toBe('(3) Earshot');
    await bridge.setBadgeCount(12);
    expect(document.title).toBe('(12) Earshot');
    await bridge.setBadgeCount(0);
    expect(document.title).toBe('Earshot');
  });

  it('shows a notification only with permission', async () => {
    const created = vi.fn();
    const FakeNotification = Object.assign(
      function (this: unknown, title: string, options: NotificationOptions) {
        created(title, options);
      },
      { permission: 'granted', requestPermission: async () => 'granted' },
    ) as unknown as typeof Notification;
    const bridge = createBrowserBridge({ storage: null, Notification: FakeNotification, document: null });
    expect(await bridge.notify({ title: 'Bob', body: 'hi', tag: 'c:1' })).toBe(true);
    expect(created).toHaveBeenCalledWith('Bob', { body: 'hi', tag: 'c:1' });

    const denied = Object.assign(function () {}, { permission: 'denied' }) as unknown as typeof Notification;
    expect(await createBrowserBridge({ storage: null, Notification: denied, document: null }).notify({ title: 't', body: 'b' })).toBe(false);
  });

  describe('rings', () => {
    function ringNotifications() {
      const shown: Array<{ title: string; options: NotificationOptions; closed: boolean }> = [];
      const Api = Object.assign(
        function (this: { close(): void; onclick: unknown }, title: string, options: NotificationOptions) {
          const entry = { title, options, closed: false };
          shown.push(entry);
          this.close = () => {
            entry.closed = true;
          };
        },
        { permission: 'granted', requestPermission: async () => 'granted' },
      ) as unknown as typeof Notification;
      return { Api, shown };
    }
    const ring = { callId: 'c1', callerName: 'Alice', conversationId: 3 };

    it('shows "Incoming call from X" while the page is out of sight, and closes it when the ring ends', async () => {
      const { Api, shown } = ringNotifications();
      const bridge = createBrowserBridge({ storage: null, Notification: Api, document: null, isPageActive: () => false });
      await bridge.ringStarted(ring);
      expect(shown).toMatchObject([{ title: 'Incoming call from Alice', options: { tag: 'ring:c1' }, closed: false }]);
      await bridge.ringEnded('c1', true);
      expect(shown[0]!.closed).toBe(true);
    });

    it('shows no notification while the page is in front (the in-page ring is enough)', async () => {
      const { Api, shown } = ringNotifications();
      const bridge = createBrowserBridge({ storage: null, Notification: Api, document: null, isPageActive: () => true });
      await bridge.ringStarted(ring);
      expect(shown).toEqual([]);
    });

    it('is never a ring window, and reports nothing to a host', async () => {
      const bridge = createBrowserBridge({ storage: null, Notification: null, document: null });
      expect(await bridge.currentRing()).toBeNull();
      await bridge.reportDevices({ devices: [], activeMicrophoneId: '', activeSpeakerId: '', activeRingDeviceId: '' });
      await bridge.reportState({ signedIn: true, presence: 'online', inCall: false, muted: false });
    });
  });

  describe('commands', () => {
    it('delivers answerRing to this page\'s listeners until they unsubscribe; a throwing listener does not stop the others', async () => {
      vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      const bridge = createBrowserBridge({ storage: null, Notification: null, document: null });
      const received: unknown[] = [];
      const offThrowing = bridge.onCommand(() => {
        throw new Error('boom');
      });
      const off = bridge.onCommand((command) => received.push(command));
      await bridge.answerRing('c1', 'busy');
      expect(received).toEqual([{ type: 'answerRing', callId: 'c1', response: 'busy' }]);
      off();
      offThrowing();
      await bridge.answerRing('c1', 'accept');
      expect(received).toHaveLength(1);
      vi.restoreAllMocks();
    });
  });
});
