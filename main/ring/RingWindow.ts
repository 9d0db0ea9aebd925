import { RING_PAGE_URL } from '../protocol/appOrigin.js';

/**
 * The small always-on-top ring window: caller name, Accept, Decline, "Busy — call back later".
 * It loads the same renderer at `#/ring`, which asks `currentRing()` and answers with
 * `answerRing()`. It appears without taking focus (showInactive), on every workspace, and is
 * not in the taskbar.
 */

export const RING_WINDOW_SIZE = { width: 360, height: 168 } as const;

/** The slice of a BrowserWindow the ring window uses. */
export interface RingWindowLike {
  readonly webContents: { readonly id: number };
  loadURL(url: string): Promise<void>;
  showInactive(): void;
  focus(): void;
  close(): void;
  isDestroyed(): boolean;
  setVisibleOnAllWorkspaces?(visible: boolean): void;
  once(event: 'ready-to-show' | 'closed', listener: () => void): unknown;
}

export function ringWindowOptions(webPreferences: Record<string, unknown>, workArea?: { x: number; y: number; width: number; height: number }) {
  const margin = 16;
  return {
    ...RING_WINDOW_SIZE,
    // Top-right corner of the primary display's work area, where notifications usually appear.
    ...(workArea ? { x: workArea.x + workArea.width - RING_WINDOW_SIZE.width - margin, y: workArea.y + margin } : {}),
    title: 'Incoming call — Earshot',
    frame: false,
    resizable: false,
    minimizable: false,
    maximizable: false,
    fullscreenable: false,
    skipTaskbar: true,
    alwaysOnTop: true,
    show: false,
    backgroundColor: '#ffffff',
    webPreferences,
  };
}

export class RingWindow {
  #window: RingWindowLike | null = null;

  constructor(private readonly create: () => RingWindowLike) {}

  /** Open (or reuse) the window and show it without stealing focus. */
  open(): void {
    if (this.#window && !this.#window.isDestroyed()) {
      this.#window.showInactive();
      return;
    }
    const win = this.create();
    this.#window = win;
    win.setVisibleOnAllWorkspaces?.(true);
    win.once('ready-to-show', () => {
      if (!win.isDestroyed()) win.showInactive();
    });
    win.once('closed', () => {
      if (this.#window === win) this.#window = null;
    });
    void win.loadURL(RING_PAGE_URL).catch(() => undefined);
  }

  close(): void {
    const win = this.#window;
    this.#window = null;
    if (win && !win.isDestroyed()) win.close();
  }

  focus(): void {
    if (this.#window && !this.#window.isDestroyed()) this.#window.focus();
  }

  get isOpen(): boolean {
    return this.#window !== null && !this.#window.isDestroyed();
  }

  /** The webContents id of the open window (the IPC sender check for ring-only channels). */
  get contentsId(): number | null {
    return this.#window && !this.#window.isDestroyed() ? this.#window.webContents.id : null;
  }
}
