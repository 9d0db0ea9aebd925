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
});
