import { describe, expect, it } from 'vitest';
import type { DesktopBridge } from '../../../common/bridge.js';
import { IPC_CHANNELS, IPC_CONTRACT } from '../../../common/ipc.js';

describe('common/ipc', () => {
  it('namespaces every channel as area:action', () => {
    for (const channel of IPC_CHANNELS) expect(channel).toMatch(/^[a-z]+:[a-z]+$/);
  });

  it('has one channel per bridge method (onCommand is the host→page direction)', () => {
    const methods: Array<Exclude<keyof DesktopBridge, 'platform' | 'onCommand'>> = [
      'notify', 'getSetting', 'setSetting', 'getSessionToken', 'setSessionToken', 'setBadgeCount',
      'reportDevices', 'reportState', 'ringStarted', 'ringEnded', 'currentRing', 'answerRing',
      'hostingInfo',
    ];
    expect(IPC_CHANNELS).toHaveLength(methods.length);
  });

  it('checks a setting value against that setting', () => {
    const set = IPC_CONTRACT['settings:set'].args;
    expect(set.safeParse(['ringVolume', 0.2]).success).toBe(true);
    expect(set.safeParse(['ringVolume', '0.2']).success).toBe(false);
    expect(set.safeParse(['speaker', null]).success).toBe(true);
    expect(set.safeParse(['speaker', { id: 'a', label: 'b', extra: 1 }]).success).toBe(true);
    expect(set.safeParse(['unknownKey', 1]).success).toBe(false);
  });

  it('lets only the ring window answer rings', () => {
    expect(IPC_CONTRACT['ring:answer'].from).toBe('ring');
    expect(IPC_CONTRACT['ring:current'].from).toBe('ring');
    expect(IPC_CONTRACT['session:get'].from).toBe('main');
    expect(IPC_CONTRACT['hosting:info'].from).toBe('main');
  });
});
