import { describe, expect, it } from 'vitest';
import { guestBridge } from '../../../../renderer/guest/guestBridge.js';
import { memoryBridge } from '../fakes.js';

describe('guestBridge', () => {
  it('never reads or writes the member\'s stored session token', async () => {
    const { bridge, state } = memoryBridge('member-token');
    const guest = guestBridge(bridge);
    expect(await guest.getSessionToken()).toBeNull();
    await guest.setSessionToken('guest-token');
    await guest.setSessionToken(null);
    expect(state.token).toBe('member-token');
  });

  it('reads the settings (microphone processing, relay-only) but does not change them', async () => {
    const { bridge } = memoryBridge();
    await bridge.setSetting('noiseSuppression', false);
    const guest = guestBridge(bridge);
    expect(await guest.getSetting('noiseSuppression')).toBe(false);
    await guest.setSetting('noiseSuppression', true);
    expect(await bridge.getSetting('noiseSuppression')).toBe(false);
    expect(guest.platform).toBe('browser');
  });

  it('shows no notifications and sets no badge', async () => {
    const { bridge, state } = memoryBridge();
    const guest = guestBridge(bridge);
    expect(await guest.notify({ title: 'Voice call started', body: 'x' })).toBe(false);
    await guest.setBadgeCount(3);
    expect(state.notifications).toEqual([]);
    expect(state.badges).toEqual([]);
  });

  it('reports nothing to the host, takes part in no ring and receives no host commands', async () => {
    const { bridge, state, dispatch } = memoryBridge();
    state.currentRing = { callId: 'c1', callerName: 'Alice', conversationId: 3 };
    const guest = guestBridge(bridge);
    await guest.reportDevices({ devices: [], activeMicrophoneId: '', activeSpeakerId: '', activeRingDeviceId: '' });
    await guest.reportState({ signedIn: false, presence: 'online', inCall: true, muted: false });
    await guest.ringStarted({ callId: 'c1', callerName: 'Alice', conversationId: 3 });
    await guest.ringEnded('c1', false);
    await guest.answerRing('c1', 'accept');
    expect(await guest.currentRing()).toBeNull();
    const commands: unknown[] = [];
    const off = guest.onCommand((c) => commands.push(c));
    dispatch({ type: 'toggleMute' });
    off();
    expect(commands).toEqual([]);
    expect(state.deviceReports).toEqual([]);
    expect(state.hostStates).toEqual([]);
    expect(state.ringsStarted).toEqual([]);
    expect(state.ringsEnded).toEqual([]);
    expect(state.answers).toEqual([]);
  });
});
