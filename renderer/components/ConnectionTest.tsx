import { useEffect, useId, useRef, useState } from 'react';
import { useController } from '../app/AppContext.js';
import { getBridge } from '../bridge/getBridge.js';
import type { CheckResult, CheckStatus, DiagnosticsReport } from '../diagnostics/diagnosticsTypes.js';
import { formatDiagnosticsReport, STATUS_MARK, STATUS_TEXT } from '../diagnostics/formatDiagnosticsReport.js';
import { runDiagnostics } from '../diagnostics/runDiagnostics.js';
import { httpBaseUrl } from '../signaling/serverUrls.js';

/** "4 ok, 1 failed, 1 not offered". */
function summary(checks: CheckResult[]): string {
  const order: CheckStatus[] = ['ok', 'failed', 'not-offered', 'skipped'];
  return order
    .map((status) => [status, checks.filter((c) => c.status === status).length] as const)
    .filter(([, n]) => n > 0)
    .map(([status, n]) => `${n} ${STATUS_TEXT[status]}`)
    .join(', ');
}

/**
 * "Test my connection" (in settings): runs the connection test (renderer/diagnostics) and lists
 * each check with ✓ / ✗ / — and what it found; "Copy report" puts the plain-text report on the
 * clipboard for support, or shows it selected where the clipboard is not available.
 */
export function ConnectionTest() {
  const controller = useController();
  const bridge = getBridge();
  const [checks, setChecks] = useState<CheckResult[] | null>(null);
  const [report, setReport] = useState<DiagnosticsReport | null>(null);
  const [copy, setCopy] = useState<'idle' | 'copied' | 'manual'>('idle');
  const mounted = useRef(true);
  const reportBox = useRef<HTMLTextAreaElement>(null);
  const reportId = useId();
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  useEffect(() => {
    if (copy === 'manual') reportBox.current?.select();
  }, [copy]);

  const running = checks !== null && report === null;
  const start = async () => {
    setReport(null);
    setCopy('idle');
    setChecks([]);
    const [relayOnly, serverUrl] = await Promise.all([bridge.getSetting('turnOnly').catch(() => false), bridge.getSetting('serverUrl').catch(() => '')]);
    const result = await runDiagnostics({
      signaling: controller.client,
      relayOnly,
      environment: { serverUrl: httpBaseUrl(serverUrl, window.location.origin), userAgent: navigator.userAgent },
      onUpdate: (current) => mounted.current && setChecks(current),
    });
    if (!mounted.current) return;
    setChecks(result.checks);
    setReport(result);
  };
  const copyReport = async () => {
    if (!report) return;
    try {
      await navigator.clipboard.writeText(formatDiagnosticsReport(report));
      setCopy('copied');
    } catch {
      // No clipboard access here (e.g. permission denied): show the text, selected, to copy by hand.
      setCopy('manual');
    }
  };

  return (
    <fieldset className="settings connection-test">
      <legend>Connection</legend>
      <p className="hint">Checks every way calls can reach the server from this network. If calls fail, send the report to support.</p>
      <div className="connection-test-actions">
        <button type="button" onClick={() => void start()} disabled={running}>
          {running ? 'Testing…' : 'Test my connection'}
        </button>
        {report ? (
          <button type="button" onClick={() => void copyReport()}>
            Copy report
          </button>
        ) : null}
        {copy === 'copied' ? <span className="hint">Report copied</span> : null}
      </div>
      {checks && checks.length > 0 ? (
        <ul className="connection-checks" aria-label="Connection test results">
          {checks.map((check) => (
            <li key={check.id} className={`connection-check check-${check.status}`}>
              <span className="check-mark" aria-hidden="true">
                {STATUS_MARK[check.status]}
              </span>
              <span>
                <strong>{check.label}</strong>: {STATUS_TEXT[check.status]}
                {check.detail ? ` — ${check.detail}` : ''}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      <p role="status" className="hint">
        {report ? `Test finished: ${summary(report.checks)}.` : running ? 'Testing your connection…' : ''}
      </p>
      {report && copy === 'manual' ? (
        <>
          <label className="hint" htmlFor={reportId}>
            Copying is not allowed here: select the report below and copy it (Ctrl+C).
          </label>
          <textarea id={reportId} ref={reportBox} readOnly rows={10} value={formatDiagnosticsReport(report)} />
        </>
      ) : null}
    </fieldset>
  );
}
