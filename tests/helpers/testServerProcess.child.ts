/**
 * Child side of `startTestServerProcess`: a `startTestServer` in its own process, driven over
 * IPC. Run with --expose-gc so memory is measured after a full collection.
 */
import { startTestServer } from './testServer.js';
import type { ChildToParent, ParentToChild, ServerProcessOptions } from './testServerProcess.js';

const send = (message: ChildToParent) => process.send!(message);
const options = JSON.parse(process.env.EARSHOT_TEST_SERVER_OPTIONS ?? '{}') as ServerProcessOptions;
const srv = await startTestServer({
  dataDir: options.dataDir,
  sfu: options.sfu ?? false,
  ...(options.config ? { config: options.config } : {}),
  ...(options.logFile ? { logFile: options.logFile } : {}),
});

// The parent went away without stopping us (runner killed): do not linger.
process.on('disconnect', () => process.exit(0));
process.on('message', (message: ParentToChild) => {
  switch (message.type) {
    case 'memory': {
      if (message.gc) (globalThis as { gc?: () => void }).gc?.();
      const usage = process.memoryUsage();
      send({
        type: 'memory',
        seq: message.seq,
        rss: usage.rss,
        heapUsed: usage.heapUsed,
        external: usage.external,
        cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
        // A prototype-pollution canary: Object.prototype's own keys never change in a healthy process.
        prototypeKeys: Object.getOwnPropertyNames(Object.prototype).sort(),
        workerPids: srv.sfu?.workerPids ?? [],
      });
      return;
    }
    case 'stop':
      void srv.stop().then(() => process.exit(0));
      return;
  }
});
send({ type: 'ready', url: srv.url, wsUrl: srv.wsUrl, logFile: srv.logFile });
