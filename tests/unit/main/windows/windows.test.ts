import { describe, expect, it } from 'vitest';
import type { HostCommand } from '../../../../common/bridge.js';
import { CLOSED_TO_TRAY_NOTICE, shouldExplainHide, shouldHideOnClose } from '../../../../main/windows/closeBehavior.js';
import { CommandQueue } from '../../../../main/windows/CommandQueue.js';
import { secureWebPreferences } from '../../../../main/windows/webPreferences.js';

describe('closeBehavior', () => {
  it('hides to the tray only with the setting on, a tray present, and not quitting', () => {
    expect(shouldHideOnClose({ closeToTray: true, quitting: false, hasTray: true })).toBe(true);
    expect(shouldHideOnClose({ closeToTray: false, quitting: false, hasTray: true })).toBe(false);
    expect(shouldHideOnClose({ closeToTray: true, quitting: true, hasTray: true })).toBe(false);
    expect(shouldHideOnClose({ closeToTray: true, quitting: false, hasTray: false })).toBe(false);
  });

  it('explains the first hide only, saying how to come back and how to quit', () => {
    expect(shouldExplainHide({ hid: true, explainedBefore: false })).toBe(true);
    expect(shouldExplainHide({ hid: true, explainedBefore: true })).toBe(false);
    expect(shouldExplainHide({ hid: false, explainedBefore: false })).toBe(false);
    expect(CLOSED_TO_TRAY_NOTICE.body).toMatch(/tray icon/);
    expect(CLOSED_TO_TRAY_NOTICE.body).toMatch(/starting Earshot again/);
    expect(CLOSED_TO_TRAY_NOTICE.body).toMatch(/quit/);
  });
});

describe('webPreferences', () => {
  it('sandboxes and isolates the page without Node', () => {
    expect(secureWebPreferences('/p/preload.cjs')).toMatchObject({
      preload: '/p/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
    });
  });
});

describe('CommandQueue', () => {
  it('holds commands until the renderer is ready, then delivers in order', () => {
    const got: HostCommand[] = [];
    const queue = new CommandQueue((c) => got.push(c));
    queue.send({ type: 'openConversation', conversationId: 1 });
    queue.send({ type: 'toggleMute' });
    expect(got).toEqual([]);
    queue.markReady();
    expect(got).toEqual([{ type: 'openConversation', conversationId: 1 }, { type: 'toggleMute' }]);
    queue.send({ type: 'joinGroupCall', conversationId: 2 });
    expect(got).toHaveLength(3);
  });

  it('queues again after a reload and keeps only the newest 32', () => {
    const got: HostCommand[] = [];
    const queue = new CommandQueue((c) => got.push(c));
    queue.markReady();
    queue.markNotReady();
    for (let i = 1; i <= 40; i++) queue.send({ type: 'openConversation', conversationId: i });
    expect(queue.pending).toBe(32);
    queue.markReady();
    expect(got[0]).toEqual({ type: 'openConversation', conversationId: 9 });
  });
});
