import { describe, expect, it } from 'vitest';
import type { HostCommand, IncomingRing } from '../../../../common/bridge.js';
import { RingController } from '../../../../main/ring/RingController.js';
import { RingPolicy } from '../../../../main/ring/RingPolicy.js';

const ring: IncomingRing = { callId: 'c1', callerName: 'Ada Lovelace', conversationId: 3 };

function setup(dnd = false) {
  const events: string[] = [];
  const sent: HostCommand[] = [];
  const missed: number[] = [];
  let clickNotification: (() => void) | undefined;
  const controller = new RingController({
    policy: new RingPolicy(),
    window: { open: () => events.push('open'), close: () => events.push('close'), focus: () => events.push('focus') },
    notify: (n, onClick) => {
      events.push(`notify:${n.title}:${n.body}`);
      clickNotification = onClick;
    },
    sendToMain: (c) => sent.push(c),
    showMain: () => events.push('showMain'),
    isDnd: () => dnd,
    onMissedCallsChange: (n) => missed.push(n),
  });
  return { controller, events, sent, missed, click: () => clickNotification?.() };
}

describe('RingController', () => {
  it('opens the ring window and a notification naming the caller', () => {
    const { controller, events, click } = setup();
    controller.started(ring);
    expect(events).toEqual(['open', 'notify:Incoming call:Ada Lovelace is calling']);
    click();
    expect(events.at(-1)).toBe('focus');
    expect(controller.current).toEqual(ring);
  });

  it('under do-not-disturb opens nothing and reports one missed call', () => {
    const { controller, events, missed } = setup(true);
    controller.started(ring);
    expect(events).toEqual([]);
    expect(missed).toEqual([1]);
  });

  it('accept: closes the window, relays the answer to the main window and shows it', () => {
    const { controller, events, sent } = setup();
    controller.started(ring);
    expect(controller.answer('c1', 'accept')).toBe(true);
    expect(sent).toEqual([{ type: 'answerRing', callId: 'c1', response: 'accept' }]);
    expect(events.slice(2)).toEqual(['close', 'showMain']);
  });

  it('decline and busy relay without raising the main window', () => {
    const { controller, events, sent } = setup();
    controller.started(ring);
    controller.answer('c1', 'busy');
    expect(sent).toEqual([{ type: 'answerRing', callId: 'c1', response: 'busy' }]);
    expect(events).not.toContain('showMain');
  });

  it('ignores an answer for another call', () => {
    const { controller, sent } = setup();
    controller.started(ring);
    expect(controller.answer('zzz', 'accept')).toBe(false);
    expect(sent).toEqual([]);
  });

  it('a missed ring closes the window and updates the count', () => {
    const { controller, events, missed } = setup();
    controller.started(ring);
    controller.ended('c1', true);
    expect(events.at(-1)).toBe('close');
    expect(missed).toEqual([1]);
    controller.clearMissed();
    expect(missed).toEqual([1, 0]);
    expect(controller.missedCalls).toBe(0);
  });
});
