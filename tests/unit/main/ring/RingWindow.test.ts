import { describe, expect, it } from 'vitest';
import { RING_PAGE_URL } from '../../../../main/protocol/appOrigin.js';
import { RingWindow, ringWindowOptions, type RingWindowLike } from '../../../../main/ring/RingWindow.js';

function fakeWindow(id: number) {
  const listeners = new Map<string, () => void>();
  const log: string[] = [];
  let destroyed = false;
  const win: RingWindowLike = {
    webContents: { id },
    loadURL: async (url) => void log.push(`load:${url}`),
    showInactive: () => void log.push('showInactive'),
    focus: () => void log.push('focus'),
    close: () => {
      destroyed = true;
      log.push('close');
      listeners.get('closed')?.();
    },
    isDestroyed: () => destroyed,
    setVisibleOnAllWorkspaces: () => void log.push('allWorkspaces'),
    once: (event, listener) => listeners.set(event, listener),
  };
  return { win, log, emit: (e: string) => listeners.get(e)?.() };
}

describe('RingWindow', () => {
  it('is small, frameless, always on top, not in the taskbar, and shown without focus', () => {
    const opts = ringWindowOptions({ sandbox: true }, { x: 0, y: 0, width: 1920, height: 1080 });
    expect(opts).toMatchObject({ width: 360, height: 168, frame: false, alwaysOnTop: true, skipTaskbar: true, show: false, resizable: false, x: 1544, y: 16 });
    expect(opts.webPreferences).toEqual({ sandbox: true });
  });

  it('loads the renderer at #/ring and shows it inactive when ready', () => {
    const fake = fakeWindow(5);
    const ring = new RingWindow(() => fake.win);
    ring.open();
    expect(fake.log).toEqual(['allWorkspaces', `load:${RING_PAGE_URL}`]);
    expect(RING_PAGE_URL).toBe('app://earshot/index.html#/ring');
    fake.emit('ready-to-show');
    expect(fake.log.at(-1)).toBe('showInactive');
    expect(ring.isOpen).toBe(true);
    expect(ring.contentsId).toBe(5);
  });

  it('reuses an open window and forgets it once closed', () => {
    let created = 0;
    const fakes = [fakeWindow(1), fakeWindow(2)];
    const ring = new RingWindow(() => fakes[created++]!.win);
    ring.open();
    ring.open();
    expect(created).toBe(1);
    ring.close();
    expect(ring.isOpen).toBe(false);
    expect(ring.contentsId).toBeNull();
    ring.open();
    expect(created).toBe(2);
    expect(ring.contentsId).toBe(2);
  });
});
