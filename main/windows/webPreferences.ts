/**
 * The web preferences of every Earshot window (Electron security checklist): the page runs
 * sandboxed and context-isolated without Node; the preload is the only bridge. Written out in
 * full (not relying on defaults) so a reader and electronegativity both see each switch.
 */
export function secureWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    // Middle-click would open links as new windows; the page has no use for it.
    disableBlinkFeatures: 'Auxclick',
    // Ringing must be audible while the window is hidden, before any click in it.
    autoplayPolicy: 'no-user-gesture-required' as const,
  };
}
