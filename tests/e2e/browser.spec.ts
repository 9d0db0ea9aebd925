import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { launchChromium } from '../helpers/chromium.js';
import { makeTone } from '../helpers/tones.js';

// The test rig itself: Debian's Chromium starts headless, pages on 127.0.0.1 are a secure
// context, and the fake microphone plays the WAV we give it. Call tests build on all three.

let server: http.Server;
let origin: string;

test.beforeAll(async () => {
  server = http.createServer((_req, res) => {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end('<!doctype html><title>rig</title><h1>Test rig</h1>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test.describe('test rig', () => {
  test('Chromium launches headless and 127.0.0.1 is a secure context', async ({ page, browser }) => {
    await page.goto(`${origin}/`);
    await expect(page.getByRole('heading', { name: 'Test rig' })).toBeVisible();
    expect(await page.evaluate(() => window.isSecureContext)).toBe(true);
    expect(browser.version()).toMatch(/^\d+\./);
  });

  test('the fake microphone plays the given tone', async () => {
    const wav = await makeTone(440, 5);
    const browser = await launchChromium(wav);
    try {
      const page = await browser.newPage();
      await page.goto(`${origin}/`);
      // FFT of the local microphone track; returns the frequency of the loudest bin.
      const peakHz = await page.evaluate(async () => {
        const stream = await navigator.mediaDevices.getUserMedia({ audio: true });
        const ctx = new AudioContext({ sampleRate: 48_000 });
        const analyser = ctx.createAnalyser();
        analyser.fftSize = 8192;
        ctx.createMediaStreamSource(stream).connect(analyser);
        const bins = new Float32Array(analyser.frequencyBinCount);
        let best = { hz: 0, db: -Infinity };
        for (let i = 0; i < 40 && best.db < -30; i++) {
          await new Promise((r) => setTimeout(r, 100));
          analyser.getFloatFrequencyData(bins);
          best = { hz: 0, db: -Infinity };
          bins.forEach((db, bin) => {
            if (db > best.db) best = { hz: (bin * ctx.sampleRate) / analyser.fftSize, db };
          });
        }
        stream.getTracks().forEach((t) => t.stop());
        await ctx.close();
        return best.hz;
      });
      expect(Math.abs(peakHz - 440)).toBeLessThan(15);
    } finally {
      await browser.close();
    }
  });
});
