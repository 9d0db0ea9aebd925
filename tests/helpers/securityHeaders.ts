/**
 * What is wrong with the security headers of one HTTP response (empty: nothing): a Content
 * Security Policy that allows no foreign script, no plugins and no framing; nosniff; no referrer;
 * not frameable for old browsers either (X-Frame-Options); and HSTS exactly when served over TLS.
 */
export function securityHeaderProblems(headers: Headers, opts: { tls: boolean }): string[] {
  const problems: string[] = [];
  const csp = headers.get('content-security-policy') ?? '';
  for (const directive of ["default-src 'self'", "script-src 'self'", "object-src 'none'", "frame-ancestors 'none'", "base-uri 'none'"]) {
    if (!csp.split(';').some((d) => d.trim() === directive)) problems.push(`CSP lacks ${directive}`);
  }
  if (headers.get('x-content-type-options') !== 'nosniff') problems.push('X-Content-Type-Options is not nosniff');
  if (headers.get('referrer-policy') !== 'no-referrer') problems.push('Referrer-Policy is not no-referrer');
  if (headers.get('x-frame-options') !== 'DENY') problems.push('X-Frame-Options is not DENY');
  const hsts = headers.get('strict-transport-security');
  if (opts.tls && !/^max-age=(\d+)/.test(hsts ?? '')) problems.push('no Strict-Transport-Security over TLS');
  if (opts.tls && Number(/^max-age=(\d+)/.exec(hsts ?? '')?.[1] ?? 0) < 180 * 86400) problems.push('HSTS max-age under 180 days');
  if (!opts.tls && hsts !== null) problems.push('Strict-Transport-Security over plain http');
  return problems;
}
