import { describe, expect, it } from 'vitest';
import { PowerSaveGuard } from '../../../main/powerSave.js';

function fakeBlocker() {
  let next = 1;
  const started = new Set<number>();
  const log: string[] = [];
  return {
    log,
    start: (type: string) => (log.push(`start:${type}`), started.add(next), next++),
    stop: (id: number) => (log.push(`stop:${id}`), started.delete(id)),
    isStarted: (id: number) => started.has(id),
  };
}

describe('PowerSaveGuard', () => {
  it('blocks app suspension while in a call, once, and releases it after', () => {
    const blocker = fakeBlocker();
    const guard = new PowerSaveGuard(blocker);
    guard.update(false);
    guard.update(true);
    guard.update(true);
    expect(guard.active).toBe(true);
    guard.update(false);
    guard.update(false);
    expect(blocker.log).toEqual(['start:prevent-app-suspension', 'stop:1']);
    expect(guard.active).toBe(false);
    guard.update(true);
    expect(blocker.log.at(-1)).toBe('start:prevent-app-suspension');
  });
});
