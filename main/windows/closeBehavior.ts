/**
 * What closing the main window does: with "close to tray" on (and a tray to come back from), the
 * window hides and Earshot keeps running for incoming calls; when quitting (menu, tray, OS
 * shutdown) it really closes.
 */
export function shouldHideOnClose(options: { closeToTray: boolean; quitting: boolean; hasTray: boolean }): boolean {
  return options.closeToTray && options.hasTray && !options.quitting;
}

/**
 * Said once, the first time closing hides the window: that Earshot still runs, and how to come
 * back and to quit. It also rescues people whose desktop shows no tray icons (some Linux
 * desktops without AppIndicator support): clicking it opens the window, and starting Earshot
 * again does too.
 */
export const CLOSED_TO_TRAY_NOTICE = {
  title: 'Earshot is still running',
  body: 'It stays in the tray so calls still ring. Open it from the tray icon or by starting Earshot again; quit from the tray menu. (Settings → Desktop: “Close to tray”.)',
} as const;

/** Whether this hide is the one to explain (the notice has not been shown before). */
export function shouldExplainHide(options: { hid: boolean; explainedBefore: boolean }): boolean {
  return options.hid && !options.explainedBefore;
}
