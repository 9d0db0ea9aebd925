import { describe, expect, it } from 'vitest';
import { sfuProbeAnswer } from '../../../../renderer/diagnostics/sfuProbeAnswer.js';

describe('sfuProbeAnswer', () => {
  const probe = {
    probeId: 't1',
    iceParameters: { usernameFragment: 'ufragufragufrag1', password: 'passwordpasswordpassword12' },
    iceCandidates: [
      { foundation: 'u', priority: 100, ip: '192.0.2.1', protocol: 'udp' as const, port: 40000, type: 'host' as const },
      { foundation: 't', priority: 90, ip: '192.0.2.1', protocol: 'tcp' as const, port: 40001, type: 'host' as const, tcpType: 'passive' as const },
    ],
    dtlsFingerprints: [
      { algorithm: 'sha-512', value: 'CC' },
      { algorithm: 'sha-256', value: 'AA:BB' },
    ],
    expiresInMs: 15_000,
  };

  it("answers the offer's data channel section as an ICE-lite peer with the probe's credentials, candidates and SHA-256 fingerprint", () => {
    const sdp = sfuProbeAnswer('v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:dc\r\n', probe);
    const lines = sdp.split('\r\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'a=ice-lite',
        'a=group:BUNDLE dc',
        'a=mid:dc',
        'a=ice-ufrag:ufragufragufrag1',
        'a=ice-pwd:passwordpasswordpassword12',
        'a=fingerprint:sha-256 AA:BB',
        'a=setup:active',
        'a=candidate:u 1 udp 100 192.0.2.1 40000 typ host',
        'a=candidate:t 1 tcp 90 192.0.2.1 40001 typ host tcptype passive',
        'a=end-of-candidates',
      ]),
    );
    expect(sdp.endsWith('\r\n')).toBe(true);
  });

  it('uses mid 0 when the offer names none', () => {
    expect(sfuProbeAnswer('v=0\r\n', probe)).toContain('a=mid:0\r\n');
  });
});
