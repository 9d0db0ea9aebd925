import { describe, expect, it, vi } from 'vitest';
import { decideWindowOpen, guardNavigation, isNavigationAllowed, type GuardedContents } from '../../../../main/security/navigation.js';
import { isExternalUrlAllowed, openExternalIfAllowed } from '../../../../main/security/openExternal.js';

const SERVER = 'http://127.0.0.1:8080';

describe('navigation', () => {
  it('allows navigation within app://earshot only', () => {
    expect(isNavigationAllowed('app://earshot/index.html#/ring')).toBe(true);
    expect(isNavigationAllowed('http://127.0.0.1:8080/')).toBe(false);
    expect(isNavigationAllowed('https://evil.example/')).toBe(false);
    expect(isNavigationAllowed('file:///etc/passwd')).toBe(false);
    expect(isNavigationAllowed('app://other/')).toBe(false);
  });

  it('never opens a window; allowed links go to the browser', () => {
    expect(decideWindowOpen(`${SERVER}/#/guest/4`, SERVER)).toEqual({ action: 'deny', openExternally: true });
    expect(decideWindowOpen('https://evil.example/', SERVER)).toEqual({ action: 'deny', openExternally: false });
  });

  it('wires will-navigate, will-redirect, webview and window.open', () => {
    const listeners = new Map<string, (e: { preventDefault(): void; url: string }) => void>();
    let openHandler: ((d: { url: string }) => { action: 'deny' }) | undefined;
    const contents = {
      on: (event: string, listener: (e: { preventDefault(): void; url: string }) => void) => listeners.set(event, listener),
      setWindowOpenHandler: (h: (d: { url: string }) => { action: 'deny' }) => (openHandler = h),
    } as unknown as GuardedContents;
    const opened: string[] = [];
    const blocked: string[] = [];
    guardNavigation(contents, { serverUrl: () => SERVER, openExternal: (u) => opened.push(u), onBlocked: (k) => blocked.push(k) });

    const evil = { url: 'https://evil.example/', preventDefault: vi.fn() };
    listeners.get('will-navigate')?.(evil);
    expect(evil.preventDefault).toHaveBeenCalled();
    const ok = { url: 'app://earshot/index.html', preventDefault: vi.fn() };
    listeners.get('will-navigate')?.(ok);
    expect(ok.preventDefault).not.toHaveBeenCalled();
    const redirect = { url: 'http://127.0.0.1:8080/', preventDefault: vi.fn() };
    listeners.get('will-redirect')?.(redirect);
    expect(redirect.preventDefault).toHaveBeenCalled();
    const webview = { url: '', preventDefault: vi.fn() };
    listeners.get('will-attach-webview')?.(webview);
    expect(webview.preventDefault).toHaveBeenCalled();

    expect(openHandler?.({ url: `${SERVER}/` })).toEqual({ action: 'deny' });
    expect(openHandler?.({ url: 'file:///etc/passwd' })).toEqual({ action: 'deny' });
    expect(opened).toEqual([`${SERVER}/`]);
    expect(blocked).toEqual(['navigate', 'redirect', 'webview', 'window-open']);
  });
});

describe('openExternal', () => {
  it('allows http(s) pages of the configured server only', () => {
    expect(isExternalUrlAllowed(`${SERVER}/#/guest/12`, SERVER)).toBe(true);
    expect(isExternalUrlAllowed('http://127.0.0.1:9999/', SERVER)).toBe(false);
    expect(isExternalUrlAllowed('https://evil.example/', SERVER)).toBe(false);
    expect(isExternalUrlAllowed('file:///etc/passwd', SERVER)).toBe(false);
    expect(isExternalUrlAllowed('javascript:alert(1)', SERVER)).toBe(false);
    expect(isExternalUrlAllowed('smb://127.0.0.1:8080/share', SERVER)).toBe(false);
    expect(isExternalUrlAllowed('http://user:pw@127.0.0.1:8080/', SERVER)).toBe(false);
    expect(isExternalUrlAllowed(`${SERVER}/`, '')).toBe(false);
  });

  it('calls shell.openExternal only for allowed URLs', async () => {
    const shell = { openExternal: vi.fn(async () => undefined) };
    expect(await openExternalIfAllowed(shell, 'https://evil.example/', SERVER)).toBe(false);
    expect(await openExternalIfAllowed(shell, `${SERVER}/`, SERVER)).toBe(true);
    expect(shell.openExternal).toHaveBeenCalledTimes(1);
    expect(shell.openExternal).toHaveBeenCalledWith(`${SERVER}/`);
  });
});
