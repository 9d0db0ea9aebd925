#!/usr/bin/env node
// Electron security review with @doyensec/electronegativity over the desktop code: main/ and
// preload/ (TypeScript sources) and the preload bundle the windows really load. Prints every
// finding, writes test-results/electronegativity.json, and exits 1 when a HIGH (or CRITICAL)
// finding remains. A finding that is accepted must be silenced where it occurs with the tool's
// own inline comment (`// eng-disable <CHECK_ID> — why`), which the tool honours.
//
// The inputs are copied into one folder and scanned in one run: the tool's global checks (e.g.
// "is navigation limited anywhere?") look only within a single input.
// Not run: AVAILABLE_SECURITY_FIXES_GLOBAL_CHECK, which downloads Electron's release list (no
// network here); Electron's version is pinned in package-lock.json and upgraded on purpose.
// Known MEDIUM finding: CSP_GLOBAL_CHECK cannot see our CSP because it is a response header of
// the app:// protocol handler (main/protocol/appProtocol.ts, main/security/csp.ts), not a <meta>.
//
// Usage: node scripts/electronegativity.mjs   (npm run lint:electron; a stage of npm test)
import { createRequire } from 'node:module';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const run = require('@doyensec/electronegativity/dist/runner.js');
const ELECTRON_VERSION = require('electron/package.json').version;
const FAIL_AT = 3; // severity values: 0 informational, 1 low, 2 medium, 3 high, 4 critical

const sources = ['main', 'preload', 'dist/preload/preload.cjs'].filter((p) => existsSync(path.join(ROOT, p)));
const SCAN = path.join(ROOT, 'test-results/electronegativity-input');
rmSync(SCAN, { recursive: true, force: true });
for (const source of sources) cpSync(path.join(ROOT, source), path.join(SCAN, source), { recursive: true });

// The tool logs through winston and chalk; keep colours out of CI logs.
process.env.FORCE_COLOR ??= '0';
const result = await run(
  { input: SCAN, electronVersionOverride: ELECTRON_VERSION, excludeFromScan: ['AvailableSecurityFixesGlobalCheck'], isRelative: false, isVerbose: false },
  false,
);
const where = (file) => (file && file !== 'N/A' ? path.relative(SCAN, file) : '(global)');
const findings = [];
for (const error of result.errors ?? []) {
  findings.push({ id: 'PARSE_ERROR', severity: 'HIGH', level: FAIL_AT, confidence: '-', file: where(error.file), line: '-', description: String(error.message ?? error) });
}
for (const issue of result.issues) {
  findings.push({
    id: issue.id,
    severity: issue.severity.name,
    level: issue.severity.value,
    confidence: issue.confidence.name,
    manualReview: Boolean(issue.manualReview),
    file: where(issue.file),
    line: `${issue.location?.line ?? '?'}:${issue.location?.column ?? '?'}`,
    description: issue.description,
  });
}
rmSync(SCAN, { recursive: true, force: true });
const inputs = sources;

findings.sort((a, b) => b.level - a.level || a.file.localeCompare(b.file));
mkdirSync(path.join(ROOT, 'test-results'), { recursive: true });
writeFileSync(path.join(ROOT, 'test-results/electronegativity.json'), JSON.stringify({ electron: ELECTRON_VERSION, inputs, findings }, null, 2));

for (const f of findings) {
  console.log(`${f.severity.padEnd(13)} ${f.confidence.padEnd(9)} ${f.id.padEnd(44)} ${f.file}:${f.line}${f.manualReview ? '  (review)' : ''}`);
}
const blocking = findings.filter((f) => f.level >= FAIL_AT);
console.log(
  `electronegativity ${require('@doyensec/electronegativity/package.json').version} (Electron ${ELECTRON_VERSION}) on ${inputs.join(', ')}: ` +
    `${findings.length} finding(s), ${blocking.length} high or critical`,
);
if (blocking.length) {
  console.log('Fix them, or accept one with an inline `// eng-disable <CHECK_ID> — reason` comment where it is reported.');
  process.exit(1);
}
