import { describe, expect, it } from 'vitest';
import { deepLinkFromArgv, parseDeepLink } from '../../../main/deepLinks.js';

describe('deepLinks', () => {
  it('opens a conversation and joins a call', () => {
    expect(parseDeepLink('earshot://conversation/42')).toEqual({ type: 'openConversation', conversationId: 42 });
    expect(parseDeepLink('earshot://call/7')).toEqual({ type: 'joinGroupCall', conversationId: 7 });
    expect(parseDeepLink('earshot://call/7/')).toEqual({ type: 'joinGroupCall', conversationId: 7 });
    expect(parseDeepLink('EARSHOT://Conversation/3')).toEqual({ type: 'openConversation', conversationId: 3 });
  });

  it.each([
    'earshot://conversation/0',
    'earshot://conversation/-1',
    'earshot://conversation/1.5',
    'earshot://conversation/abc',
    'earshot://conversation/99999999999',
    'earshot://conversation/1/extra',
    'earshot://conversation',
    'earshot://settings/1',
    'https://conversation/1',
    'javascript:alert(1)',
    'not a link',
    `earshot://call/${'1'.repeat(3000)}`,
  ])('ignores %s', (link) => {
    expect(parseDeepLink(link)).toBeNull();
  });

  it('finds the link among launch arguments', () => {
    expect(deepLinkFromArgv(['/usr/bin/earshot', '--hidden', 'earshot://call/9'])).toBe('earshot://call/9');
    expect(deepLinkFromArgv(['/usr/bin/earshot'])).toBeNull();
  });
});
