#!/usr/bin/env node
// Draws Earshot's icons as PNGs with nothing but Node (zlib): the app icon used by
// electron-builder (build/icons/icon.png, 512×512) and the tray icons, one per state, at 1× and 2×
// (build/icons/tray/<state>.png and <state>@2x.png; Electron picks @2x on HiDPI screens), and the
// web client's favicon (renderer/public/favicon.png).
//
//   node build/make-icons.mjs        (npm run icons) — rewrites the files; commit the result.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'icons');

// ---- PNG encoding (RGBA, 8 bit, no interlace) ----
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    rows[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(rows, { level: 9 })), chunk('IEND', Buffer.alloc(0))]);
}

// ---- Drawing: shapes in a unit square, 4×4 supersampled ----
const hex = (h) => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
function render(size, layers) {
  const out = Buffer.alloc(size * size * 4);
  const S = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < S; sy++) {
        for (let sx = 0; sx < S; sx++) {
          const u = (x + (sx + 0.5) / S) / size;
          const v = (y + (sy + 0.5) / S) / size;
          // Paint layers bottom-up: the last layer that covers the sample wins.
          let color = null;
          for (const layer of layers) if (layer.inside(u, v)) color = layer.color;
          if (color) {
            r += color[0];
            g += color[1];
            b += color[2];
            a += 255;
          }
        }
      }
      const n = S * S;
      const i = (y * size + x) * 4;
      const cover = a / 255;
      out[i] = cover ? Math.round(r / cover) : 0;
      out[i + 1] = cover ? Math.round(g / cover) : 0;
      out[i + 2] = cover ? Math.round(b / cover) : 0;
      out[i + 3] = Math.round(a / n);
    }
  }
  return out;
}
const circle = (cx, cy, rad) => (u, v) => (u - cx) ** 2 + (v - cy) ** 2 <= rad ** 2;
const ring = (cx, cy, r0, r1, fromDeg, toDeg) => (u, v) => {
  const d = Math.hypot(u - cx, v - cy);
  const ang = (Math.atan2(v - cy, u - cx) * 180) / Math.PI;
  return d >= r0 && d <= r1 && ang >= fromDeg && ang <= toDeg;
};
const rect = (x0, y0, x1, y1) => (u, v) => u >= x0 && u <= x1 && v >= y0 && v <= y1;
const slash = (w) => (u, v) => Math.abs(u - v) < w && u > 0.18 && u < 0.82;

const WHITE = hex('#ffffff');
// Sound waves: the Earshot mark (a dot and two arcs to the right).
const waves = [
  { inside: circle(0.36, 0.5, 0.08), color: WHITE },
  { inside: ring(0.36, 0.5, 0.17, 0.24, -50, 50), color: WHITE },
  { inside: ring(0.36, 0.5, 0.31, 0.38, -50, 50), color: WHITE },
];
const badge = (color) => ({ inside: circle(0.5, 0.5, 0.48), color: hex(color) });

const TRAY = {
  'signed-out': [badge('#8a8f98'), ...waves],
  available: [badge('#1f9d55'), ...waves],
  dnd: [badge('#d33a3a'), { inside: rect(0.24, 0.43, 0.76, 0.57), color: WHITE }],
  'in-call': [badge('#2f6fdb'), ...waves],
  muted: [badge('#d97a00'), ...waves, { inside: slash(0.06), color: hex('#3a1d00') }],
};

mkdirSync(path.join(OUT, 'tray'), { recursive: true });
for (const [name, layers] of Object.entries(TRAY)) {
  writeFileSync(path.join(OUT, 'tray', `${name}.png`), png(16, render(16, layers)));
  writeFileSync(path.join(OUT, 'tray', `${name}@2x.png`), png(32, render(32, layers)));
}
const appIcon = [{ inside: (u, v) => rect(0.06, 0.06, 0.94, 0.94)(u, v) && roundCorner(u, v), color: hex('#2f6fdb') }, ...waves];
function roundCorner(u, v) {
  const r = 0.2;
  const cx = Math.min(Math.max(u, 0.06 + r), 0.94 - r);
  const cy = Math.min(Math.max(v, 0.06 + r), 0.94 - r);
  return (u - cx) ** 2 + (v - cy) ** 2 <= r * r;
}
writeFileSync(path.join(OUT, 'icon.png'), png(512, render(512, appIcon)));
// The web client's favicon (renderer/public/, copied into dist/renderer by Vite): the app icon at 64 px.
const PUBLIC = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'renderer', 'public');
mkdirSync(PUBLIC, { recursive: true });
writeFileSync(path.join(PUBLIC, 'favicon.png'), png(64, render(64, appIcon)));
console.log(`icons written to ${path.relative(process.cwd(), OUT)}`);
