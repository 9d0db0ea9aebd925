import type { CheckResult, CheckStatus, DiagnosticsReport } from './diagnosticsTypes.js';

/** The mark shown beside each check: ✓ works, ✗ does not, — not offered or not tested. */
export const STATUS_MARK: Record<CheckStatus, string> = { running: '…', ok: '✓', failed: '✗', 'not-offered': '—', skipped: '—' };

/** The status as a word, for people and screen readers. */
export const STATUS_TEXT: Record<CheckStatus, string> = { running: 'testing…', ok: 'ok', failed: 'failed', 'not-offered': 'not offered', skipped: 'not tested' };

/** One line per check: `✗ TURN over TLS: failed — error 701: … (2.1 s)`. */
export function formatCheck(check: CheckResult): string {
  const time = check.durationMs === null || check.status === 'running' ? '' : ` (${check.durationMs < 1000 ? `${check.durationMs} ms` : `${(check.durationMs / 1000).toFixed(1)} s`})`;
  return `${STATUS_MARK[check.status]} ${check.label}: ${STATUS_TEXT[check.status]}${check.detail ? ` — ${check.detail}` : ''}${time}`;
}

/**
 * The report as plain text for a support ticket: when, where from, every check with its detail
 * and the URLs it used. Holds no credentials (TURN passwords are never part of a result).
 */
export function formatDiagnosticsReport(report: DiagnosticsReport): string {
  const lines = [
    'Earshot connection test',
    `Time: ${new Date(report.startedAt).toISOString()} (took ${(report.durationMs / 1000).toFixed(1)} s)`,
    `Server: ${report.environment.serverUrl}`,
    `Browser: ${report.environment.userAgent}`,
    `Relay calls through the server (TURN only): ${report.environment.relayOnly ? 'on' : 'off'}`,
    '',
  ];
  for (const check of report.checks) {
    lines.push(formatCheck(check));
    if (check.urls?.length) lines.push(`    ${check.urls.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}
