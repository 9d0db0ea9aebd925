/**
 * `startup`: how long until Earshot is usable, and what the web client weighs.
 *
 * - Server cold start: the real entry (signaling-server/main.ts) spawned as `npm start` runs it
 *   (`node --import tsx`, scripts/start.sh) as a fresh process with a fresh data folder and a
 *   free port, timed from spawn() to the first 200 from GET /healthz (polled every 5 ms). Beside
 *   it, interleaved: the same without the SFU's mediasoup workers, with tsx's transform cache
 *   off (the first start after a code change), through the `tsx` CLI (`npm run server`), and a
 *   bare Node HTTP server (the floor: starting Node and polling).
 * - Client load: Debian's headless Chromium opens the web client, served by one such server
 *   process, in a new browser context each time (empty HTTP and code caches), signed out (the
 *   sign-in form) and signed in (a stored session token: the conversation list), alternating.
 *   Timed inside the page from navigation start.
 * - Bundle: gzip level 9 sizes of the built client's JavaScript and CSS.
 */
import type { Browser } from '@playwright/test';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../tests/helpers/chromium.js';
import { register, TestClient } from '../tests/helpers/wsClient.js';
import type { Benchmark, BenchContext, Figures } from './BenchmarkTypes.js';
import { buildRenderer } from './lib/buildRenderer.js';
import { bundleSize } from './lib/bundleSize.js';
import { cpuSnapshot, otherCores } from './lib/cpuShare.js';
import { percentile } from './lib/percentile.js';
import { NPM_START_COMMAND, startServerProcess, type ServerStartTiming } from './lib/serverProcess.js';

/** Its own copy of the client: other benchmarks rebuild .cache/bench/renderer, which would break loads mid-run. */
const WEB_ROOT = fileURLToPath(new URL('../.cache/bench/renderer-startup/', import.meta.url));
/** Server starts per variant before the measured ones (disk cache, tsx cache), excluded. */
const SERVER_WARMUPS = 2;
/** Measured `npm start` server starts (and bare-Node and no-SFU ones); BENCH_STARTUP_RUNS overrides. */
const SERVER_RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 20);
/** Measured starts of the costlier side variants (tsx cache off, tsx CLI). */
const SIDE_RUNS = Math.min(SERVER_RUNS, 5);
/** Page loads per kind before the measured ones, excluded (the first one is reported on its own). */
const CLIENT_WARMUPS = 2;
/** Measured page loads per kind (signed out, signed in); BENCH_STARTUP_RUNS overrides. */
const CLIENT_LOADS = Number(process.env.BENCH_STARTUP_RUNS ?? 20);
const LOAD_TIMEOUT_MS = 15_000;
/** Stdout lines timed from spawn: the SFU's workers are up, the HTTP server listens, main.ts's banner. */
const SFU_READY = 'SFU ready';
const LISTENING = 'signaling server listening';
const BANNER = 'Earshot server ready';

/** The floor: Node starting and answering /healthz with nothing else to load. */
const BARE_NODE = [
  process.execPath,
  '-e',
  `require('node:http').createServer((q, s) => s.end('{"status":"ok"}')).listen(Number(process.env.EARSHOT_PORT), '127.0.0.1');`,
];
/** `npm run server`: the tsx CLI, which starts Node again as its child with the loader. */
const TSX_CLI = [process.execPath, fileURLToPath(new URL('../node_modules/tsx/dist/cli.mjs', import.meta.url)), 'signaling-server/main.ts'];

type Variant = 'npmStart' | 'noSfu' | 'coldTsxCache' | 'tsxCli' | 'bareNode';
/** One measured start, and the cores' worth of CPU other processes used meanwhile (see cpuShare.ts). */
type Start = ServerStartTiming & { otherCores: number };

/** One page load, ms from navigation start (performance.timeOrigin) in the page. */
interface PageLoad {
  /** The ready condition first held (MutationObserver, right after React's commit). */
  readyDomMs: number;
  /** The next animation frame after it: the frame that paints it. */
  readyFrameMs: number;
  /** index.html fully received. */
  htmlMs: number;
  /** The last /assets/ script or stylesheet fully received. */
  assetsMs: number;
  domContentLoadedMs: number;
  /** First contentful paint (the "Loading…" splash or the form), or NaN. */
  fcpMs: number;
  /** GET /api/config answered, or NaN. */
  configMs: number;
  /** The signaling WebSocket opened (signed in), or NaN. */
  wsOpenMs: number;
}

type ReadyKind = 'signedOut' | 'signedIn';
interface ReadyState {
  domMs: number | null;
  frameMs: number | null;
  wsOpenMs: number | null;
}

/**
 * Runs in the page before the app (serialised with toString: keep it self-contained). Records
 * when the page first becomes usable: signed out, the sign-in form's username field and an
 * enabled "Sign in" submit button are in the DOM; signed in, the conversation list shows a
 * conversation. Also when the first WebSocket opens.
 */
function readyProbeInPage(kind: ReadyKind): void {
  const state: ReadyState = { domMs: null, frameMs: null, wsOpenMs: null };
  (window as unknown as { __startup: ReadyState }).__startup = state;
  const ready = (): boolean => {
    if (kind === 'signedIn') return document.querySelector('nav[aria-label="Conversations"] button') !== null;
    const submit = [...document.querySelectorAll<HTMLButtonElement>('button[type="submit"]')].some((b) => (b.textContent ?? '').trim() === 'Sign in' && !b.disabled);
    return submit && document.querySelector('input[autocomplete="username"]') !== null;
  };
  const observer = new MutationObserver(() => {
    if (state.domMs !== null || !ready()) return;
    state.domMs = performance.now();
    observer.disconnect();
    requestAnimationFrame(() => {
      state.frameMs = performance.now();
    });
  });
  observer.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['disabled'] });
  const NativeWebSocket = window.WebSocket;
  window.WebSocket = class extends NativeWebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('open', () => {
        state.wsOpenMs ??= performance.now();
      });
    }
  };
}

/** Open the client once in a fresh context and time it (see PageLoad). */
async function loadOnce(browser: Browser, url: string, kind: ReadyKind, token: string): Promise<PageLoad> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    // tsx (esbuild keepNames) wraps named functions in __name(…): a pass-through for the page, as in pageProbe.ts.
    await page.addInitScript({ content: `globalThis.__name ??= (target) => target;\n(${readyProbeInPage.toString()})(${JSON.stringify(kind)});` });
    if (kind === 'signedIn') {
      await page.addInitScript((t) => {
        try {
          localStorage.setItem('earshot:sessionToken', t);
        } catch {
          // about:blank has no storage.
        }
      }, token);
    }
    await page.goto(url);
    await page.waitForFunction(() => (window as unknown as { __startup: ReadyState }).__startup.frameMs !== null, null, { timeout: LOAD_TIMEOUT_MS, polling: 20 });
    return await page.evaluate(() => {
      const s = (window as unknown as { __startup: ReadyState }).__startup;
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
      const assets = resources.filter((r) => r.name.includes('/assets/') && /\.(js|css)(\?|$)/.test(r.name)).map((r) => r.responseEnd);
      const config = resources.find((r) => r.name.includes('/api/config'));
      const fcp = performance.getEntriesByName('first-contentful-paint')[0];
      return {
        readyDomMs: s.domMs ?? NaN,
        readyFrameMs: s.frameMs ?? NaN,
        htmlMs: nav?.responseEnd ?? NaN,
        assetsMs: assets.length ? Math.max(...assets) : NaN,
        domContentLoadedMs: nav?.domContentLoadedEventEnd ?? NaN,
        fcpMs: fcp?.startTime ?? NaN,
        configMs: config?.responseEnd ?? NaN,
        wsOpenMs: s.wsOpenMs ?? NaN,
      };
    });
  } finally {
    await context.close();
  }
}

const TARGETS: Benchmark['targets'] = {
  server_ready_ms_p95: { max: 1500 },
  client_ready_ms_p95: { max: 1000 },
  client_ready_signed_in_ms_p95: { max: 1000 },
  bundle_kb: { max: 300 },
};

const round1 = (x: number) => Math.round(x * 10) / 10;

/** Other processes above this many cores count as a busy machine in the notes (the machine has os.cpus().length). */
const BUSY_CORES = 0.5;

/** For each missed target, what the measurements say about why. */
function explainMisses(figures: Figures, npmStarts: Start[], loads: Record<ReadyKind, PageLoad[]>): string[] {
  const notes: string[] = [];
  for (const [key, target] of Object.entries(TARGETS)) {
    const figure = figures[key]!;
    if ((target.max === undefined || figure.value <= target.max) && (target.min === undefined || figure.value >= target.min)) continue;
    const head = `Why ${key} = ${figure.value} ${figure.unit} misses its target:`;
    if (key.startsWith('server_ready')) {
      const quiet = npmStarts.filter((s) => s.otherCores < BUSY_CORES).map((s) => s.healthzMs);
      const busy = npmStarts.filter((s) => s.otherCores >= BUSY_CORES).map((s) => s.healthzMs);
      const slowest = [...npmStarts].sort((a, b) => b.healthzMs - a.healthzMs).slice(0, 2);
      notes.push(
        `${head} the slowest starts (${slowest.map((s) => `${s.healthzMs.toFixed(0)} ms while other processes used ${s.otherCores.toFixed(2)} cores`).join('; ')}) ran while the machine was busy. Starts with other processes under ${BUSY_CORES} cores: ${quiet.length ? `p50 ${percentile(quiet, 50).toFixed(0)} ms, max ${Math.max(...quiet).toFixed(0)} ms (${quiet.length})` : 'none'}; with more: ${busy.length ? `p50 ${percentile(busy, 50).toFixed(0)} ms, max ${Math.max(...busy).toFixed(0)} ms (${busy.length})` : 'none'}. A start is CPU-bound (the server process alone used p50 ${figures.server_start_cpu_ms_p50!.value} ms of CPU before it answered), most of it loading the TypeScript sources and their dependencies through tsx's loader (its transform cache warm: without the SFU's workers a start takes server_ready_no_sfu_ms_p50 ${figures.server_ready_no_sfu_ms_p50!.value} ms, a bare Node server bare_node_ready_ms_p50 ${figures.bare_node_ready_ms_p50!.value} ms), so on ${os.cpus().length} cores it stretches with whatever else runs.`,
      );
    } else if (key.startsWith('client_ready')) {
      const list = key.includes('signed_in') ? loads.signedIn : loads.signedOut;
      const slowest = [...list].sort((a, b) => b.readyFrameMs - a.readyFrameMs)[0];
      notes.push(
        slowest
          ? `${head} the slowest load: index.html at ${slowest.htmlMs.toFixed(0)} ms, script and stylesheet received ${slowest.assetsMs.toFixed(0)} ms, DOMContentLoaded ${slowest.domContentLoadedMs.toFixed(0)} ms, /api/config ${slowest.configMs.toFixed(0)} ms, WebSocket open ${Number.isFinite(slowest.wsOpenMs) ? slowest.wsOpenMs.toFixed(0) : '—'} ms, ready ${slowest.readyDomMs.toFixed(0)} ms, painted ${slowest.readyFrameMs.toFixed(0)} ms.`
          : head,
      );
    } else {
      notes.push(`${head} see the bundle note for the files and their sizes.`);
    }
  }
  return notes;
}
const ms = (value: number) => ({ value: round1(value), unit: 'ms' });
const kb = (bytes: number) => ({ value: round1(bytes / 1024), unit: 'kB' });
/** p50 of the finite values, NaN when there are none. */
const p50 = (values: number[]) => {
  const finite = values.filter(Number.isFinite);
  return finite.length ? percentile(finite, 50) : NaN;
};

export const startup: Benchmark = {
  name: 'startup',
  description:
    'Server cold start to /healthz 200 (npm start: node --import tsx, fresh process and data folder), web client load to usable in headless Chromium (cold cache, signed out and signed in), renderer bundle gzip size.',
  targets: TARGETS,

  async run(ctx: BenchContext): Promise<Figures> {
    ctx.log(`building the web client (vite build) into ${WEB_ROOT}…`);
    const buildStarted = performance.now();
    const webRoot = await buildRenderer(WEB_ROOT);
    const buildS = (performance.now() - buildStarted) / 1000;
    const files = bundleSize(webRoot);
    const sum = (list: typeof files, key: 'rawBytes' | 'gzipBytes') => list.reduce((total, f) => total + f[key], 0);
    const largest = files[0];
    if (!largest) throw new Error(`no JavaScript or CSS in ${webRoot}`);
    const initial = files.filter((f) => f.initial);
    ctx.log(`bundle: ${files.map((f) => `${f.file} ${(f.gzipBytes / 1024).toFixed(1)} kB gzip${f.initial ? '' : ' (lazy)'}`).join(', ')}`);

    // Server cold starts: every variant once per round, the order rotated each round to spread load.
    const baseEnv = { EARSHOT_WEB_ROOT: webRoot };
    const variants: Record<Variant, { command: readonly string[]; env: Record<string, string>; runs: number }> = {
      npmStart: { command: NPM_START_COMMAND, env: baseEnv, runs: SERVER_RUNS },
      noSfu: { command: NPM_START_COMMAND, env: { ...baseEnv, EARSHOT_SFU_WORKERS: '0' }, runs: SERVER_RUNS },
      bareNode: { command: BARE_NODE, env: {}, runs: SERVER_RUNS },
      coldTsxCache: { command: NPM_START_COMMAND, env: { ...baseEnv, TSX_DISABLE_CACHE: '1' }, runs: SIDE_RUNS },
      tsxCli: { command: TSX_CLI, env: baseEnv, runs: SIDE_RUNS },
    };
    const order = Object.keys(variants) as Variant[];
    const starts: Record<Variant, Start[]> = { npmStart: [], noSfu: [], bareNode: [], coldTsxCache: [], tsxCli: [] };
    const cpuBefore = cpuSnapshot();
    const serverStarted = performance.now();
    for (let round = 0; round < SERVER_WARMUPS + SERVER_RUNS; round++) {
      const warmup = round < SERVER_WARMUPS;
      const line: string[] = [];
      for (let k = 0; k < order.length; k++) {
        const variant = order[(round + k) % order.length]!;
        const v = variants[variant];
        // Variants with fewer runs take every n-th round, so they see the same spread of load.
        const stride = Math.max(1, Math.floor(SERVER_RUNS / v.runs));
        if (!warmup && (starts[variant].length >= v.runs || (round - SERVER_WARMUPS) % stride !== 0)) continue;
        const before = cpuSnapshot();
        const { server, timing } = await startServerProcess({ command: v.command, env: v.env, watchLines: [SFU_READY, LISTENING, BANNER] });
        const others = otherCores(before, cpuSnapshot());
        await server.stop();
        if (!warmup) starts[variant].push({ ...timing, otherCores: others });
        line.push(`${variant} ${timing.healthzMs.toFixed(0)}`);
      }
      ctx.log(`${warmup ? 'warm-up round' : `round ${round - SERVER_WARMUPS + 1}/${SERVER_RUNS}`}: ${line.join(', ')} ms`);
    }
    const serverOthers = otherCores(cpuBefore, cpuSnapshot());
    const serverPhaseS = (performance.now() - serverStarted) / 1000;

    // Page loads from one running server (the npm start way), alternating signed out / signed in.
    const { server } = await startServerProcess({ env: baseEnv });
    let browser: Browser | undefined;
    const loads: Record<ReadyKind, PageLoad[]> = { signedOut: [], signedIn: [] };
    let firstLoad: PageLoad | undefined;
    let clientOthers: number;
    try {
      const alice = await register(server.url, 'alice', 'Alice');
      const bob = await register(server.url, 'bob', 'Bob');
      const client = await TestClient.connect(`${server.url.replace(/^http/, 'ws')}/ws`, alice.token);
      try {
        await client.request('conversations.createDirect', { userId: bob.user.id });
      } finally {
        client.close();
      }
      browser = await launchChromium();
      const cpuBeforeClient = cpuSnapshot();
      for (let i = 0; i < CLIENT_WARMUPS + CLIENT_LOADS; i++) {
        const warmup = i < CLIENT_WARMUPS;
        const kinds: ReadyKind[] = i % 2 === 0 ? ['signedOut', 'signedIn'] : ['signedIn', 'signedOut'];
        const line: string[] = [];
        for (const kind of kinds) {
          const load = await loadOnce(browser, server.url, kind, alice.token);
          firstLoad ??= load;
          if (!warmup) loads[kind].push(load);
          line.push(`${kind} ${load.readyFrameMs.toFixed(0)}`);
        }
        ctx.log(`${warmup ? 'warm-up loads' : `loads ${i - CLIENT_WARMUPS + 1}/${CLIENT_LOADS}`}: ${line.join(', ')} ms`);
      }
      clientOthers = otherCores(cpuBeforeClient, cpuSnapshot());
    } finally {
      await browser?.close().catch(() => undefined);
      await server.stop();
    }

    const healthz = (v: Variant) => starts[v].map((s) => s.healthzMs);
    const line = (v: Variant, text: string) => starts[v].map((s) => s.lines[text] ?? NaN);
    const out = loads.signedOut;
    const inn = loads.signedIn;
    const figures: Figures = {
      server_ready_ms_p50: ms(percentile(healthz('npmStart'), 50)),
      server_ready_ms_p95: ms(percentile(healthz('npmStart'), 95)),
      client_ready_ms_p50: ms(percentile(out.map((l) => l.readyFrameMs), 50)),
      client_ready_ms_p95: ms(percentile(out.map((l) => l.readyFrameMs), 95)),
      client_ready_signed_in_ms_p50: ms(percentile(inn.map((l) => l.readyFrameMs), 50)),
      client_ready_signed_in_ms_p95: ms(percentile(inn.map((l) => l.readyFrameMs), 95)),
      bundle_kb: kb(sum(files, 'gzipBytes')),
      bundle_largest_chunk_kb: kb(largest.gzipBytes),
      bundle_initial_kb: kb(sum(initial, 'gzipBytes')),
      bundle_raw_kb: kb(sum(files, 'rawBytes')),
      bundle_initial_raw_kb: kb(sum(initial, 'rawBytes')),
      bundle_files: { value: files.length, unit: 'count' },
      // Server start, supporting figures.
      server_starts: { value: starts.npmStart.length, unit: 'count' },
      server_ready_ms_min: ms(Math.min(...healthz('npmStart'))),
      server_ready_ms_max: ms(Math.max(...healthz('npmStart'))),
      server_sfu_ready_ms_p50: ms(p50(line('npmStart', SFU_READY))),
      server_listening_ms_p50: ms(p50(line('npmStart', LISTENING))),
      server_start_cpu_ms_p50: ms(percentile(starts.npmStart.map((s) => s.cpuMs), 50)),
      server_ready_no_sfu_ms_p50: ms(percentile(healthz('noSfu'), 50)),
      server_ready_no_sfu_ms_p95: ms(percentile(healthz('noSfu'), 95)),
      server_ready_cold_tsx_cache_ms_p50: ms(percentile(healthz('coldTsxCache'), 50)),
      server_ready_tsx_cli_ms_p50: ms(percentile(healthz('tsxCli'), 50)),
      bare_node_ready_ms_p50: ms(percentile(healthz('bareNode'), 50)),
      healthz_polls_p50: { value: percentile(starts.npmStart.map((s) => s.polls), 50), unit: 'count' },
      // Client load, supporting figures (p50, ms from navigation start).
      client_loads: { value: out.length + inn.length, unit: 'count' },
      client_first_load_ms: ms(firstLoad?.readyFrameMs ?? NaN),
      client_ready_dom_ms_p50: ms(p50(out.map((l) => l.readyDomMs))),
      client_html_ms_p50: ms(p50(out.map((l) => l.htmlMs))),
      client_assets_ms_p50: ms(p50(out.map((l) => l.assetsMs))),
      client_dom_content_loaded_ms_p50: ms(p50(out.map((l) => l.domContentLoadedMs))),
      client_fcp_ms_p50: ms(p50(out.map((l) => l.fcpMs))),
      client_config_ms_p50: ms(p50(out.map((l) => l.configMs))),
      client_signed_in_ws_open_ms_p50: ms(p50(inn.map((l) => l.wsOpenMs))),
      client_signed_in_fcp_ms_p50: ms(p50(inn.map((l) => l.fcpMs))),
      vite_build_s: { value: round1(buildS), unit: 's' },
      server_phase_s: { value: round1(serverPhaseS), unit: 's' },
      other_processes_cores_server_phase: { value: Math.round(serverOthers * 100) / 100, unit: 'cores' },
      other_processes_cores_client_phase: { value: Math.round(clientOthers * 100) / 100, unit: 'cores' },
    };

    const f = (key: string) => figures[key]!.value;
    ctx.note('Targets: none were given for this benchmark; server_ready_ms_p95 ≤ 1500 ms, client_ready_ms_p95 and client_ready_signed_in_ms_p95 ≤ 1000 ms and bundle_kb ≤ 300 kB are our own.');
    ctx.note(
      `server_ready_ms: spawn() of \`node ${NPM_START_COMMAND.slice(1).join(' ')}\` (what scripts/start.sh runs after \`scripts/setup.sh --runtime\`, whose checks are not timed here; run from the repository root, TypeScript compiled on the fly by tsx with its transform cache warm, as on every start after the first) as a fresh process with a fresh EARSHOT_DATA_DIR (new SQLite database, migrations run) and a free port → the first 200 from GET /healthz, polled every 5 ms (refused connections answer at once; p50 ${f('healthz_polls_p50')} polls). ${SERVER_WARMUPS} warm-up rounds, then ${starts.npmStart.length} measured starts; each server is stopped (SIGTERM, exit awaited) before the next. Percentiles: nearest rank. With the default sfuWorkers (one mediasoup worker per core: ${os.availableParallelism()} here, spawned one after the other before the HTTP server listens): p50 spawn → "${SFU_READY}" ${f('server_sfu_ready_ms_p50')} ms, → "${LISTENING}" ${f('server_listening_ms_p50')} ms; the server process had used ${f('server_start_cpu_ms_p50')} ms of CPU (p50, its own threads, not the workers') by the time /healthz answered.`,
    );
    ctx.note(
      `Beside it, interleaved round by round (order rotated): EARSHOT_SFU_WORKERS=0 (no mediasoup workers) p50 ${f('server_ready_no_sfu_ms_p50')} ms; TSX_DISABLE_CACHE=1 (tsx transforms every file again, as on the first start after a code change or on a new machine) p50 ${f('server_ready_cold_tsx_cache_ms_p50')} ms over ${starts.coldTsxCache.length} starts; \`npm run server\` (the tsx CLI, which runs Node once more as its child) p50 ${f('server_ready_tsx_cli_ms_p50')} ms over ${starts.tsxCli.length}; a bare \`node -e\` HTTP server (Node's own start plus the polling: the floor) p50 ${f('bare_node_ready_ms_p50')} ms. The OS file cache is warm throughout (no caches are dropped: other work shares the machine).`,
    );
    ctx.note(
      `client_ready_ms: headless Chromium (Debian's) opens the client from one server started the npm start way (production settings) in a new browser context each time (empty HTTP cache and code cache), ${CLIENT_WARMUPS} warm-up loads per kind then ${out.length} per kind, signed out and signed in alternating. Timed inside the page from navigation start (performance.timeOrigin): a MutationObserver sees the ready condition right after React's commit, and the figure is the next animation frame (the frame that paints it; the commit alone: p50 ${f('client_ready_dom_ms_p50')} ms signed out). Signed out: the username field and an enabled "Sign in" button. Signed in (client_ready_signed_in_ms; the session token in localStorage, as the app keeps it): the conversation list shows the account's one conversation, which needs the WebSocket (opened at p50 ${f('client_signed_in_ws_open_ms_p50')} ms) and sync.state. Signed out, p50 from navigation start: index.html received ${f('client_html_ms_p50')} ms, its script and stylesheet received ${f('client_assets_ms_p50')} ms, DOMContentLoaded ${f('client_dom_content_loaded_ms_p50')} ms, first contentful paint (Chromium's paint timing entry) ${f('client_fcp_ms_p50')} ms, /api/config answered ${f('client_config_ms_p50')} ms. The first load of the run (a fresh browser, not in the percentiles): ${f('client_first_load_ms')} ms.`,
    );
    ctx.note(
      `bundle_kb: the built client's JavaScript and CSS (${files.length} files in ${webRoot.replace(/\/$/, '').split('/').slice(-3).join('/')}, source maps left out), each compressed with node:zlib gzip at level 9, summed: ${f('bundle_kb')} kB (raw ${f('bundle_raw_kb')} kB). Largest chunk: ${largest.file} ${f('bundle_largest_chunk_kb')} kB gzip (${round1(largest.rawBytes / 1024)} kB raw). Loaded by index.html on every visit: ${initial.map((x) => x.file).join(', ')}: ${f('bundle_initial_kb')} kB gzip, ${f('bundle_initial_raw_kb')} kB raw; the rest is loaded on demand (${files.filter((x) => !x.initial).map((x) => `${x.file} ${round1(x.gzipBytes / 1024)} kB`).join(', ') || 'none'}). The server sends these files uncompressed (sirv with gzip and brotli off), so browsers download the raw sizes unless a compressing proxy sits in front.`,
    );
    ctx.note(
      `Load: ${os.cpus().length} cores shared with anything else running; processes outside the benchmark used ${f('other_processes_cores_server_phase')} cores on average during the server starts and ${f('other_processes_cores_client_phase')} during the page loads (/proc/stat minus this process tree; the servers and browsers started here count as ours). 1-minute load average at the end: ${os.loadavg()[0]!.toFixed(2)}. vite build took ${round1(buildS)} s.`,
    );
    for (const text of explainMisses(figures, starts.npmStart, loads)) ctx.note(text);
    return figures;
  },
};
