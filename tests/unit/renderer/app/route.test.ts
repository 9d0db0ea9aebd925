import { describe, expect, it } from 'vitest';
import { guestLink, parseRoute, sameRoute } from '../../../../renderer/app/route.js';

describe('route', () => {
  describe('#parseRoute', () => {
    it('opens the member app for an empty or unrelated hash', () => {
      for (const hash of ['', '#', '#/', '#/settings', '#guest/5', '#/guests/5', '#/GUEST/5']) {
        expect(parseRoute(hash), hash).toEqual({ kind: 'app' });
      }
    });

    it('opens the guest page of the room in #/guest/<id>, with or without a trailing slash', () => {
      expect(parseRoute('#/guest/42')).toEqual({ kind: 'guest', conversationId: 42 });
      expect(parseRoute('#/guest/7/')).toEqual({ kind: 'guest', conversationId: 7 });
      expect(parseRoute('#/guest/9007199254740991')).toEqual({ kind: 'guest', conversationId: Number.MAX_SAFE_INTEGER });
    });

    it('opens the ring window for #/ring', () => {
      expect(parseRoute('#/ring')).toEqual({ kind: 'ring' });
      expect(parseRoute('#/ring/')).toEqual({ kind: 'ring' });
      expect(parseRoute('#/ringing')).toEqual({ kind: 'app' });
    });

    it('keeps a malformed guest link on the guest page, with no room', () => {
      for (const hash of ['#/guest/', '#/guest/0', '#/guest/-1', '#/guest/007', '#/guest/1e3', '#/guest/0x10', '#/guest/ 5', '#/guest/5.0', '#/guest/abc', '#/guest/5/extra', '#/guest/9007199254740993']) {
        expect(parseRoute(hash), hash).toEqual({ kind: 'guest', conversationId: null });
      }
    });
  });

  describe('#sameRoute', () => {
    it('tells whether a hash change moves to another page', () => {
      expect(sameRoute({ kind: 'app' }, { kind: 'app' })).toBe(true);
      expect(sameRoute({ kind: 'guest', conversationId: 3 }, { kind: 'guest', conversationId: 3 })).toBe(true);
      expect(sameRoute({ kind: 'guest', conversationId: 3 }, { kind: 'guest', conversationId: 4 })).toBe(false);
      expect(sameRoute({ kind: 'guest', conversationId: 3 }, { kind: 'app' })).toBe(false);
      expect(sameRoute({ kind: 'ring' }, { kind: 'ring' })).toBe(true);
      expect(sameRoute({ kind: 'ring' }, { kind: 'app' })).toBe(false);
      expect(sameRoute({ kind: 'app' }, { kind: 'guest', conversationId: null })).toBe(false);
    });
  });

  describe('#guestLink', () => {
    it('builds <web client URL>/#/guest/<id>, which parseRoute reads back', () => {
      const link = guestLink('https://talk.example.org', 12);
      expect(link).toBe('https://talk.example.org/#/guest/12');
      expect(parseRoute(new URL(link).hash)).toEqual({ kind: 'guest', conversationId: 12 });
    });

    it('keeps a path and drops trailing slashes', () => {
      expect(guestLink('http://host:8080/earshot/', 3)).toBe('http://host:8080/earshot/#/guest/3');
      expect(guestLink('', 3)).toBe('/#/guest/3');
    });
  });
});
