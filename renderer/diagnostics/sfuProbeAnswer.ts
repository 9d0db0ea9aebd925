import type { SfuProbe } from '../../common/protocol/index.js';

/**
 * The SDP answer, on the SFU's behalf, to a page's data-channel-only offer: the probe
 * transport's ICE credentials and candidates, marked ICE-lite (mediasoup is), so the page runs
 * ICE against the SFU exactly as mediasoup-client would. `setup:active` makes the SFU the DTLS
 * client, so the page only waits for a handshake that never comes and sends no DTLS itself; the
 * test ends once ICE has connected.
 */
export function sfuProbeAnswer(offerSdp: string, probe: SfuProbe): string {
  const mid = /^a=mid:(\S+)/m.exec(offerSdp)?.[1] ?? '0';
  const fingerprint = probe.dtlsFingerprints.find((f) => f.algorithm === 'sha-256') ?? probe.dtlsFingerprints[0]!;
  const candidates = probe.iceCandidates.map(
    (c) => `a=candidate:${c.foundation} 1 ${c.protocol} ${c.priority} ${c.ip} ${c.port} typ host${c.protocol === 'tcp' ? ` tcptype ${c.tcpType ?? 'passive'}` : ''}`,
  );
  return [
    'v=0',
    'o=- 1 1 IN IP4 0.0.0.0',
    's=-',
    't=0 0',
    'a=ice-lite',
    `a=group:BUNDLE ${mid}`,
    'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
    'c=IN IP4 0.0.0.0',
    `a=mid:${mid}`,
    `a=ice-ufrag:${probe.iceParameters.usernameFragment}`,
    `a=ice-pwd:${probe.iceParameters.password}`,
    `a=fingerprint:${fingerprint.algorithm} ${fingerprint.value}`,
    'a=setup:active',
    'a=sctp-port:5000',
    'a=max-message-size:262144',
    ...candidates,
    'a=end-of-candidates',
    '',
  ].join('\r\n');
}
