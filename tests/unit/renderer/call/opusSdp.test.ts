import { describe, expect, it } from 'vitest';
import { applyOpusSettings, DEFAULT_OPUS, isLowBandwidth, limitRemoteOpus, LOW_BANDWIDTH_OPUS, opusFor, readRequestedOpus } from '../../../../renderer/call/opusSdp.js';

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

  it('replaces the packet time (low-bandwidth mode uses longer packets) and says it accepts them (maxptime)', () => {
    const out = applyOpusSettings(SDP, { maxAverageBitrate: 16_000, dtx: true, fec: true, ptime: 60 });
    expect(out.match(/a=ptime:\d+/g)).toEqual(['a=ptime:60']);
    expect(out.match(/a=maxptime:\d+/g)).toEqual(['a=maxptime:60']);
    expect(out).toContain('maxaveragebitrate=16000');
    expect(applyOpusSettings(SDP, DEFAULT_OPUS)).not.toContain('a=maxptime');
  });

  it('keeps the SDP line structure and CRLF endings', () => {
    const out = applyOpusSettings(SDP, DEFAULT_OPUS);
    expect(out.endsWith('\r\n')).toBe(true);
    expect(out.split('\r\n').length).toBe(SDP.split('\r\n').length);
  });
});

describe('low-bandwidth Opus', () => {
  it('is 16 kbps in 60 ms packets with FEC, with the user\'s DTX choice', () => {
    expect(LOW_BANDWIDTH_OPUS).toMatchObject({ maxAverageBitrate: 16_000, ptime: 60, fec: true });
    expect(opusFor(true, true)).toEqual({ ...LOW_BANDWIDTH_OPUS, dtx: true });
    expect(opusFor(false, false)).toEqual(DEFAULT_OPUS);
    expect(isLowBandwidth(LOW_BANDWIDTH_OPUS)).toBe(true);
    expect(isLowBandwidth(DEFAULT_OPUS)).toBe(false);
  });
});

describe('readRequestedOpus', () => {
  it('reads the bitrate cap and the packet time the other side asks for', () => {
    expect(readRequestedOpus(applyOpusSettings(SDP, LOW_BANDWIDTH_OPUS))).toEqual({ maxAverageBitrate: 16_000, ptime: 60 });
    expect(readRequestedOpus(SDP)).toEqual({ maxAverageBitrate: null, ptime: 20 });
    expect(readRequestedOpus(SDP.replace('a=ptime:20\r\n', ''))).toEqual({ maxAverageBitrate: null, ptime: null });
  });
});

describe('limitRemoteOpus', () => {
  const fmtp = (sdp: string) => Object.fromEntries(sdp.split('\r\n').find((l) => l.startsWith('a=fmtp:111'))!.slice('a=fmtp:111 '.length).split(';').map((p) => p.split('=')));

  it('makes our own encoder follow our low-bandwidth mode when the other side asks for full quality', () => {
    const theirs = applyOpusSettings(SDP, { ...DEFAULT_OPUS, dtx: true });
    const out = limitRemoteOpus(theirs, LOW_BANDWIDTH_OPUS);
    expect(fmtp(out)).toMatchObject({ maxaveragebitrate: '16000', ptime: '60', useinbandfec: '1', usedtx: '1' });
    expect(out.match(/a=ptime:\d+/g)).toEqual(['a=ptime:60']);
    expect(out.match(/a=maxptime:\d+/g)).toEqual(['a=maxptime:60']);
  });

  it('keeps the other side\'s stricter request (their low-bandwidth mode) when ours is off', () => {
    const theirs = applyOpusSettings(SDP, LOW_BANDWIDTH_OPUS);
    const out = limitRemoteOpus(theirs, DEFAULT_OPUS);
    expect(fmtp(out)).toMatchObject({ maxaveragebitrate: '16000', ptime: '60' });
    expect(out.match(/a=ptime:\d+/g)).toEqual(['a=ptime:60']);
  });

  it('changes nothing that matters between two sides at full quality', () => {
    const theirs = applyOpusSettings(SDP, DEFAULT_OPUS);
    const out = limitRemoteOpus(theirs, DEFAULT_OPUS);
    expect(fmtp(out)).toEqual(fmtp(theirs));
    expect(out.match(/a=ptime:\d+/g)).toEqual(['a=ptime:20']);
    expect(out).not.toContain('a=maxptime');
  });

  it('leaves other codecs and the line structure alone', () => {
    const out = limitRemoteOpus(SDP, LOW_BANDWIDTH_OPUS);
    expect(out).toContain('a=fmtp:63 111/111');
    expect(out.endsWith('\r\n')).toBe(true);
  });
});
