import { beforeEach, describe, expect, it, vi } from 'vitest';
import { EXPOSED_BRIDGE_KEYS } from '../../helpers/bridgeKeys.js';

const exposed: Array<[string, unknown]> = [];
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.push([key, api]) },
  ipcRenderer: { invoke: async () => ({ ok: true, value: null }), on: () => undefined, removeListener: () => undefined },
}));

describe('preload', () => {
  beforeEach(() => {
    exposed.length = 0;
    vi.resetModules();
  });

  it('exposes exactly one object, window.earshot, implementing the bridge and nothing of ipcRenderer', async () => {
    await import('../../../preload/preload.js');
    expect(exposed.map(([key]) => key)).toEqual(['earshot']);
    const api = exposed[0]?.[1] as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual([...EXPOSED_BRIDGE_KEYS].sort());
    expect(Object.values(api).some((v) => v && typeof v === 'object')).toBe(false);
  });
});
