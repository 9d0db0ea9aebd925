/**
 * Pre-encoded Opus packets (20 ms, 48 kHz mono, 32 kbps) for the load bots: a steady tone as a
 * one-second loop (integer Hz, so the loop is seamless), and the packet Opus sends for digital
 * silence. Encoded once per frequency with opusscript (libopus compiled to WebAssembly).
 */
import OpusScript from 'opusscript';

const RATE = 48_000;
const FRAME = 960;
const cache = new Map<number, Buffer[]>();
let encoder: OpusScript | null = null;

function opus(): OpusScript {
  if (!encoder) {
    encoder = new OpusScript(RATE, 1, OpusScript.Application.VOIP);
    encoder.setBitrate(32_000);
  }
  return encoder;
}

/** 50 packets: one second of `hz` at about −6 dBFS. */
export function tonePackets(hz: number): Buffer[] {
  let packets = cache.get(hz);
  if (!packets) {
    packets = [];
    for (let f = 0; f < RATE / FRAME; f++) {
      const pcm = Buffer.alloc(FRAME * 2);
      for (let i = 0; i < FRAME; i++) pcm.writeInt16LE(Math.round(16_000 * Math.sin((2 * Math.PI * hz * (f * FRAME + i)) / RATE)), i * 2);
      packets.push(Buffer.from(opus().encode(pcm, FRAME)));
    }
    cache.set(hz, packets);
  }
  return packets;
}

let silent: Buffer | null = null;

/** The packet for 20 ms of digital silence (with DTX a sender repeats it about every 400 ms). */
export function silencePacket(): Buffer {
  silent ??= Buffer.from(opus().encode(Buffer.alloc(FRAME * 2), FRAME));
  return silent;
}
