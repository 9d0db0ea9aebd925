import type { DesktopBridge } from '../../common/bridge.js';
import { createBrowserBridge } from './browserBridge.js';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser. */
    earshot?: DesktopBridge;
  }
}

let browserBridge: DesktopBridge | null = null;

/** The host bridge: Electron's preload object when present, otherwise the browser bridge. */
export function getBridge(): DesktopBridge {
  if (typeof window !== 'undefined' && window.earshot) return window.earshot;
  browserBridge ??= createBrowserBridge();
  return browserBridge;
}
