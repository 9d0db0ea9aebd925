import { describe, expect, it } from 'vitest';
import { decidePermissionCheck, decidePermissionRequest, installPermissionHandlers, type PermissionSession } from '../../../../main/security/permissions.js';

const APP = 'app://earshot/index.html';

describe('permissions', () => {
  describe('decidePermissionRequest', () => {
    it('grants the microphone to the app origin', () => {
      expect(decidePermissionRequest('media', { requestingUrl: APP, mediaTypes: ['audio'] })).toBe(true);
    });

    it('refuses the camera, and audio+video together', () => {
      expect(decidePermissionRequest('media', { requestingUrl: APP, mediaTypes: ['video'] })).toBe(false);
      expect(decidePermissionRequest('media', { requestingUrl: APP, mediaTypes: ['audio', 'video'] })).toBe(false);
      expect(decidePermissionRequest('media', { requestingUrl: APP, mediaTypes: [] })).toBe(false);
    });

    it('grants notifications to the app origin only', () => {
      expect(decidePermissionRequest('notifications', { requestingUrl: APP })).toBe(true);
      expect(decidePermissionRequest('notifications', { requestingUrl: 'https://evil.example/' })).toBe(false);
    });

    it('refuses everything to other origins and every other permission', () => {
      expect(decidePermissionRequest('media', { requestingUrl: 'http://127.0.0.1:8080/', mediaTypes: ['audio'] })).toBe(false);
      expect(decidePermissionRequest('media', { mediaTypes: ['audio'] })).toBe(false);
      for (const p of ['geolocation', 'midiSysex', 'clipboard-read', 'pointerLock', 'display-capture', 'openExternal', 'fullscreen']) {
        expect(decidePermissionRequest(p, { requestingUrl: APP })).toBe(false);
      }
    });
  });

  describe('decidePermissionCheck', () => {
    it('answers device-label and notification checks for the app origin, not for others', () => {
      expect(decidePermissionCheck('media', 'app://earshot', 'audio')).toBe(true);
      expect(decidePermissionCheck('media', 'app://earshot', 'video')).toBe(false);
      expect(decidePermissionCheck('notifications', 'app://earshot')).toBe(true);
      expect(decidePermissionCheck('media', 'https://evil.example', 'audio')).toBe(false);
      expect(decidePermissionCheck('geolocation', 'app://earshot')).toBe(false);
    });
  });

  it('installs both handlers on the session', () => {
    let request: Parameters<PermissionSession['setPermissionRequestHandler']>[0] | undefined;
    let check: Parameters<PermissionSession['setPermissionCheckHandler']>[0] | undefined;
    installPermissionHandlers({ setPermissionRequestHandler: (h) => (request = h), setPermissionCheckHandler: (h) => (check = h) });
    const answers: boolean[] = [];
    request?.(null, 'media', (g) => answers.push(g), { requestingUrl: APP, mediaTypes: ['audio'] });
    request?.(null, 'geolocation', (g) => answers.push(g), { requestingUrl: APP });
    expect(answers).toEqual([true, false]);
    expect(check?.(null, 'notifications', 'app://earshot', {})).toBe(true);
  });
});
