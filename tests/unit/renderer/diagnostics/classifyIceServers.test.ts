import { describe, expect, it } from 'vitest';
import { classifyIceServers } from '../../../../renderer/diagnostics/classifyIceServers.js';

describe('classifyIceServers', () => {
  const creds = { username: '1700000000:7', credential: 'pw' };

  it('sorts TURN URLs by how they reach the server, keeping their credentials (turn: without a transport is UDP, RFC 7065)', () => {
    const { turn } = classifyIceServers([{ urls: ['turn:a.example:3478', 'turn:a.example:3478?transport=tcp', 'turns:a.example:443?transport=tcp', 'turns:b.example'], ...creds }]);
    expect(turn.udp).toEqual([{ url: 'turn:a.example:3478', ...creds }]);
    expect(turn.tcp).toEqual([{ url: 'turn:a.example:3478?transport=tcp', ...creds }]);
    expect(turn.tls.map((e) => e.url)).toEqual(['turns:a.example:443?transport=tcp', 'turns:b.example']);
  });

  it('keeps configured STUN URLs as they are', () => {
    const { stun } = classifyIceServers([{ urls: ['stun:stun.example:3478'] }, { urls: ['turn:a.example:3478?transport=udp'], ...creds }]);
    expect(stun).toEqual({ urls: ['stun:stun.example:3478'], derived: false });
  });

  it("without STUN URLs, uses each TURN server's host:port for STUN (coturn answers binding requests there), once each", () => {
    const { stun } = classifyIceServers([{ urls: ['turn:a.example:3478?transport=udp', 'turn:a.example:3478?transport=tcp', 'turns:a.example:443?transport=tcp'], ...creds }]);
    expect(stun).toEqual({ urls: ['stun:a.example:3478'], derived: true });
  });

  it('has nothing to test without ICE servers, and skips URLs it cannot read', () => {
    expect(classifyIceServers([{ urls: ['not a url'] }])).toEqual({ stun: { urls: [], derived: false }, turn: { udp: [], tcp: [], tls: [] } });
  });
});
