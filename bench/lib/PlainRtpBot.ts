/**
 * A lightweight group-call participant for load tests: a real signed-in user on the real
 * signaling server (TestClient socket) that joins with `group.joinPlainRtp` and moves its media
 * as plain RTP over one loopback UDP socket — no WebRTC stack, no decoding. It sends pre-encoded
 * Opus (bench/lib/opusTone.ts) every 20 ms with the ssrc-audio-level header extension, the way a
 * browser does, or only a silence packet every 400 ms (what Opus DTX sends); it resumes a
 * consumer for every other participant and counts what arrives (packets, bytes, sequence gaps).
 *
 * The server must run with `sfuPlainRtp: true`. One shared 20 ms clock drives every bot of the
 * process (bench/lib/botFarmProcess.ts).
 */
import dgram from 'node:dgram';
import type { NotificationData, SessionResponse } from '../../common/protocol/index.js';
import { TestClient } from '../../tests/helpers/wsClient.js';
import { silencePacket, tonePackets } from './opusTone.js';

const OPUS_PT = 100;
const AUDIO_LEVEL_EXT_ID = 10;
const AUDIO_LEVEL_URI = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
/** A DTX sender's silence packet interval, in 20 ms frames. */
const DTX_EVERY = 20;

/** Receive counters of one bot, summed over the streams it receives. */
export interface BotReceiveStats {
  /** False for a bot joined with `listen: false` (its counters stay 0). */
  listening: boolean;
  streams: number;
  packetsReceived: number;
  /** Expected (by sequence number span) minus received, per stream, summed. */
  packetsLost: number;
  /** RTP bytes (header + payload) received. */
  bytesReceived: number;
}

export interface PlainRtpBotOptions {
  wsUrl: string;
  session: SessionResponse;
  conversationId: number;
  /** Tone to send (Hz), or null: silence with DTX. */
  toneHz: number | null;
  /**
   * Read and count what the SFU sends (default true). A bot that does not listen has the SFU
   * send its streams to a loopback port nobody has bound, where the kernel discards them: the
   * SFU does exactly the same work, and the bot process is spared ~2,500 packets/s of reading.
   */
  listen?: boolean;
}

interface StreamCounter {
  first: number;
  /** Highest extended sequence number seen. */
  highest: number;
  received: number;
}

/** One 20 ms clock for every bot in the process: one timer instead of 48, catching up when late. */
class FrameClock {
  private readonly bots = new Set<PlainRtpBot>();
  private timer: NodeJS.Timeout | null = null;
  private started = 0;
  private sent = 0;

  add(bot: PlainRtpBot): () => void {
    this.bots.add(bot);
    if (!this.timer) {
      this.started = performance.now();
      this.sent = 0;
      this.timer = setInterval(() => this.tick(), 20);
    }
    return () => {
      this.bots.delete(bot);
      if (this.bots.size === 0 && this.timer) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  }

  private tick(): void {
    const due = Math.floor((performance.now() - this.started) / 20);
    // Never burst more than 100 ms (a longer stall is dropped, as a sound card would).
    const frames = Math.min(due - this.sent, 5);
    this.sent = due;
    for (let f = 0; f < frames; f++) for (const bot of this.bots) bot.sendFrame();
  }
}
const clock = new FrameClock();

/** A loopback UDP port with no socket on it (bound and released at once). */
async function unboundPort(): Promise<number> {
  const probe = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve));
  const { port } = probe.address();
  await new Promise<void>((resolve) => probe.close(resolve));
  return port;
}

export class PlainRtpBot {
  readonly client: TestClient;
  readonly socket: dgram.Socket;
  callId = '';
  /** This bot's participant id in the call (from the join). */
  participantId = '';
  /** When group.joinPlainRtp was sent and when the first RTP packet arrived (performance.now()). */
  joinSentAt = 0;
  firstPacketAt: number | null = null;
  private readonly opts: PlainRtpBotOptions;
  private readonly ssrc = (Math.random() * 0xffffffff) >>> 0;
  private readonly streams = new Map<number, StreamCounter>();
  private consumerIds = new Set<string>();
  /** The SSRC each other participant's stream reaches us with (from its consumer's RTP parameters). */
  private readonly ssrcOf = new Map<string, number>();
  private bytes = 0;
  private toneHz: number | null;
  private target: { ip: string; port: number } | null = null;
  private seq = Math.floor(Math.random() * 0xffff);
  private timestamp = (Math.random() * 0xffffffff) >>> 0;
  private frame = 0;
  private stopClock: (() => void) | null = null;
  private closed = false;

  private constructor(client: TestClient, socket: dgram.Socket, opts: PlainRtpBotOptions) {
    this.client = client;
    this.socket = socket;
    this.opts = opts;
    this.toneHz = opts.toneHz;
  }

  /** Connect, join the conversation's ongoing call with plain RTP and start sending. Throws RequestFailed (e.g. ROOM_FULL). */
  static async join(opts: PlainRtpBotOptions): Promise<PlainRtpBot> {
    const socket = dgram.createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(0, '127.0.0.1', () => resolve());
    });
    // Up to 49 streams (~2,500 packets/s) arrive here: room for about a second of them if the event
    // loop is held up (the kernel caps the request at net.core.rmem_max: 4 MiB on the build machines).
    socket.setRecvBufferSize(4 << 20);
    let client: TestClient;
    try {
      client = await TestClient.connect(opts.wsUrl, opts.session.token);
    } catch (error) {
      socket.close();
      throw error;
    }
    const bot = new PlainRtpBot(client, socket, opts);
    try {
      await bot.setup();
    } catch (error) {
      bot.close();
      throw error;
    }
    return bot;
  }

  private async setup(): Promise<void> {
    this.socket.on('message', (packet) => this.onPacket(packet));
    this.client.socket.on('message', (raw) => this.onMessage(String(raw)));
    const recvPort = this.opts.listen === false ? await unboundPort() : this.socket.address().port;
    this.joinSentAt = performance.now();
    const joined = await this.client.request('group.joinPlainRtp', { conversationId: this.opts.conversationId, recvPort });
    this.callId = joined.call.callId;
    this.participantId = joined.participantId;
    this.target = { ip: joined.sendTransport.ip, port: joined.sendTransport.port };
    // Start sending before produce so the comedia transport has learnt our address by then.
    this.stopClock = clock.add(this);
    await this.client.request('group.produce', {
      callId: this.callId,
      transportId: joined.sendTransport.id,
      rtpParameters: {
        codecs: [{ mimeType: 'audio/opus', payloadType: OPUS_PT, clockRate: 48_000, channels: 2, parameters: { useinbandfec: 1, usedtx: 1 } }],
        encodings: [{ ssrc: this.ssrc }],
        headerExtensions: [{ uri: AUDIO_LEVEL_URI, id: AUDIO_LEVEL_EXT_ID }],
        rtcp: { cname: `bot-${this.ssrc}`, reducedSize: true },
      },
    });
    // The router's own capabilities: the consumers then use exactly what the producers send.
    await this.client.request('group.ready', { callId: this.callId, rtpCapabilities: joined.routerRtpCapabilities });
  }

  /** Change what the bot sends: a tone, or silence (DTX). */
  setTone(toneHz: number | null): void {
    this.toneHz = toneHz;
  }

  get consumerCount(): number {
    return this.consumerIds.size;
  }

  /** RTP packets received so far from one other participant (0 before any arrived). */
  packetsFrom(participantId: string): number {
    const ssrc = this.ssrcOf.get(participantId);
    return ssrc === undefined ? 0 : (this.streams.get(ssrc)?.received ?? 0);
  }

  receiveStats(): BotReceiveStats {
    let received = 0;
    let lost = 0;
    for (const s of this.streams.values()) {
      received += s.received;
      lost += Math.max(0, s.highest - s.first + 1 - s.received);
    }
    return { listening: this.opts.listen !== false, streams: this.streams.size, packetsReceived: received, packetsLost: lost, bytesReceived: this.bytes };
  }

  async leave(): Promise<void> {
    if (this.callId && !this.closed) await this.client.request('group.leave', { callId: this.callId }).catch(() => undefined);
    this.close();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopClock?.();
    this.client.close();
    this.socket.close();
  }

  /** Called by the shared clock every 20 ms. */
  sendFrame(): void {
    if (this.closed || !this.target) return;
    const n = this.frame++;
    this.timestamp = (this.timestamp + 960) >>> 0;
    let payload: Buffer;
    let level: number;
    if (this.toneHz !== null) {
      payload = tonePackets(this.toneHz)[n % 50]!;
      level = 6;
    } else {
      if (n % DTX_EVERY !== 0) return; // DTX: the timestamp advances, nothing is sent.
      payload = silencePacket();
      level = 127;
    }
    this.seq = (this.seq + 1) & 0xffff;
    // 12-byte header + one-byte-header extension block (0xBEDE, 1 word: id/len, level, 2 pad).
    const header = Buffer.alloc(20);
    header[0] = 0x90; // V=2, X=1
    header[1] = OPUS_PT;
    header.writeUInt16BE(this.seq, 2);
    header.writeUInt32BE(this.timestamp, 4);
    header.writeUInt32BE(this.ssrc, 8);
    header.writeUInt16BE(0xbede, 12);
    header.writeUInt16BE(1, 14);
    header[16] = (AUDIO_LEVEL_EXT_ID << 4) | 0; // length 1 byte (L = 0)
    header[17] = (this.toneHz !== null ? 0x80 : 0) | level; // V flag: voice activity
    this.socket.send([header, payload], this.target.port, this.target.ip);
  }

  private onPacket(packet: Buffer): void {
    if (packet.length < 12 || packet[0]! >> 6 !== 2) return;
    const pt = packet[1]! & 0x7f;
    if (pt >= 72 && pt <= 79) return; // RTCP (200–207 with the marker bit position)
    if (this.firstPacketAt === null) this.firstPacketAt = performance.now();
    this.bytes += packet.length;
    const ssrc = packet.readUInt32BE(8);
    const seq = packet.readUInt16BE(2);
    const s = this.streams.get(ssrc);
    if (!s) {
      this.streams.set(ssrc, { first: seq, highest: seq, received: 1 });
      return;
    }
    s.received++;
    // Extend the 16-bit sequence number across wrap-around (forward jumps < 2^15).
    const delta = (seq - (s.highest & 0xffff) + 0x10000) & 0xffff;
    if (delta > 0 && delta < 0x8000) s.highest += delta;
  }

  private onMessage(raw: string): void {
    const frame = JSON.parse(raw) as { event?: string; data?: unknown };
    if (!frame.event) return;
    // TestClient keeps unclaimed notifications in `frames`; a bot hears many (speakers, updates): drop them.
    this.client.frames.splice(0);
    if (frame.event === 'group.newConsumer') {
      const { consumerId, participantId, rtpParameters } = frame.data as NotificationData<'group.newConsumer'>;
      this.consumerIds.add(consumerId);
      const ssrc = (rtpParameters as { encodings?: Array<{ ssrc?: number }> }).encodings?.[0]?.ssrc;
      if (ssrc !== undefined) this.ssrcOf.set(participantId, ssrc);
      this.client.request('group.resumeConsumer', { callId: this.callId, consumerId }).catch((error: unknown) => {
        if (!this.closed) console.warn(`[bot ${this.opts.session.user.username}] resume failed:`, error);
      });
    } else if (frame.event === 'group.consumerClosed') {
      this.consumerIds.delete((frame.data as NotificationData<'group.consumerClosed'>).consumerId);
    }
  }
}
