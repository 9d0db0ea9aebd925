// Smoke test: the cached worker binary really works with the mediasoup npm package.
// Run by smoke-worker.sh from a scratch install (outside the repo):
//   MEDIASOUP_WORKER_BIN=<binary> node smoke-worker.cjs
//
// NOTE: mediasoup 3.12.x reads MEDIASOUP_WORKER_BIN once, when its Worker module
// is loaded (exports.workerBin in node/lib/Worker.js). It must be in the
// environment before require('mediasoup') / import 'mediasoup'; setting it later
// has no effect.
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS script run by plain node from a scratch install */
'use strict';

const assert = require('node:assert/strict');

async function main() {
  assert.ok(process.env.MEDIASOUP_WORKER_BIN, 'set MEDIASOUP_WORKER_BIN to the built worker');
  const mediasoup = require('mediasoup');
  assert.equal(mediasoup.workerBin, process.env.MEDIASOUP_WORKER_BIN);
  console.log(`mediasoup ${mediasoup.version}, worker binary: ${mediasoup.workerBin}`);

  const worker = await mediasoup.createWorker({ logLevel: 'warn' });
  let died = false;
  worker.on('died', (err) => { died = true; console.error('worker died:', err); });
  console.log(`worker pid: ${worker.pid}`);

  const router = await worker.createRouter({
    mediaCodecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 }],
  });
  const opus = router.rtpCapabilities.codecs.find((c) => c.mimeType === 'audio/opus');
  assert.ok(opus, 'router supports audio/opus');
  console.log(`router ${router.id}: audio/opus payloadType ${opus.preferredPayloadType}`);

  const transport = await router.createWebRtcTransport({ listenIps: [{ ip: '127.0.0.1' }] });
  console.log('transport ICE parameters:', JSON.stringify(transport.iceParameters));
  console.log('transport ICE candidates:', JSON.stringify(transport.iceCandidates));
  console.log('transport DTLS fingerprints:', transport.dtlsParameters.fingerprints.map((f) => f.algorithm).join(', '));
  assert.ok(transport.iceParameters.usernameFragment && transport.iceParameters.password);
  assert.ok(transport.iceCandidates.length > 0);

  const usage = await worker.getResourceUsage();
  console.log(`worker resource usage: maxrss ${usage.ru_maxrss} KiB`);

  transport.close();
  router.close();
  worker.close();
  assert.equal(worker.closed, true);
  assert.equal(died, false);
  console.log('smoke test OK: worker started, router + WebRTC transport created, closed cleanly');
}

main().catch((err) => {
  console.error('smoke test FAILED:', err);
  process.exit(1);
});
