import { describe, expect, it } from 'vitest';
import { applyOpusSettings, DEFAULT_OPUS } from '../../../../renderer/call/opusSdp.js';

const SDP = [
  'v=0',
  'o=- 1 2 IN IP4 127.0.0.1',
  's=-',
  't=0 0',
  'm=audio 9 UDP/TLS/RTP/SAVPF 111 63 9',
  'c=IN IP4 0.0.0.0',
  'a=rtpmap:111 opus/48000/2',
  'a=rtcp-fb:111 transport-cc',
  'a=fmtp:111 minptime=10;useinbandfec=1',
  'a=rtpmap:63 red/48000/2',
  'a=fmtp:63 111/111',
  'a=rtpmap:9 G722/8000',
  'a=ptime:20',
  '',
].join('\r\n');

describe('applyOpusSettings', () => {
  it('sets mono fullband Opus with FEC, the bitrate cap and DTX on the Opus fmtp line only', () => {
    const out = applyOpusSettings(SDP, { ...DEFAULT_OPUS, dtx: true });
    const fmtp = out.split('\r\n').find((l) => l.startsWith('a=fmtp:111'))!;
    const params = Object.fromEntries(fmtp.slice('a=fmtp:111 '.length).split(';').map((p) => p.split('=')));
    expect(params).toMatchObject({ useinbandfec: '1', usedtx: '1', stereo: '0', maxaveragebitrate: '32000', maxplaybackrate: '48000' });
    expect(out).toContain('a=fmtp:63 111/111');
  });

  it('replaces the packet time (low-bandwidth mode uses longer packets)', () => {
    const out = applyOpusSettings(SDP, { maxAverageBitrate: 16_000, dtx: true, fec: true, ptime: 60 });
    expect(out.match(/a=ptime:\d+/g)).toEqual(['a=ptime:60']);
    expect(out).toContain('maxaveragebitrate=16000');
  });

  it('keeps the SDP line structure and CRLF endings', () => {
    const out = applyOpusSettings(SDP, DEFAULT_OPUS);
    expect(out.endsWith('\r\n')).toBe(true);
    expect(out.split('\r\n').length).toBe(SDP.split('\r\n').length);
  });
});
