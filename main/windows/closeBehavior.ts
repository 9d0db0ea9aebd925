/**
 * What closing the main window does: with "close to tray" on (and a tray to come back from), the
 * window hides and Earshot keeps running for incoming calls; when quitting (menu, tray, OS
 * shutdown) it really closes.
 */
export function shouldHideOnClose(options: { closeToTray: boolean; quitting: boolean; hasTray: boolean }): boolean {
  return options.closeToTray && options.hasTray && !options.quitting;
}
