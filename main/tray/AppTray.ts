import { toMenuTemplate, type MenuAction, type MenuTemplateItem } from '../menu/menuModel.js';
import type { TrayIconName, TrayModel } from './trayMenuModel.js';

/** The slice of Electron's Tray. `Image` and `Menu` are Electron's NativeImage and Menu. */
export interface TrayLike<Image, Menu> {
  setImage(image: Image): void;
  setToolTip(text: string): void;
  setContextMenu(menu: Menu): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

export interface AppTrayOptions<Image, Menu> {
  createTray: (image: Image) => TrayLike<Image, Menu>;
  image: (name: TrayIconName) => Image;
  buildMenu: (template: MenuTemplateItem[]) => Menu;
  dispatch: (action: MenuAction) => void;
  /** The native tray could not be made (no tray on this desktop); the app then runs without one. */
  onUnavailable?: (error: unknown) => void;
}

/**
 * Applies tray models to the native tray, touching only what changed. If the tray cannot be
 * made, that is reported once and the app carries on without it (`exists` stays false, so
 * closing the window quits instead of hiding it where nobody could find it).
 */
export class AppTray<Image, Menu> {
  #tray: TrayLike<Image, Menu> | null = null;
  #unavailable = false;
  #last: { icon: TrayIconName; tooltip: string; menu: string } | null = null;

  constructor(private readonly options: AppTrayOptions<Image, Menu>) {}

  update(model: TrayModel): void {
    if (this.#unavailable) return;
    if (!this.#tray) {
      try {
        this.#tray = this.options.createTray(this.options.image(model.icon));
      } catch (error) {
        this.#unavailable = true;
        this.options.onUnavailable?.(error);
        return;
      }
      // Left click opens the window (Windows/Linux convention; macOS shows the menu).
      this.#tray.on('click', () => this.options.dispatch({ type: 'open' }));
    } else if (this.#last?.icon !== model.icon) {
      this.#tray.setImage(this.options.image(model.icon));
    }
    if (this.#last?.tooltip !== model.tooltip) this.#tray.setToolTip(model.tooltip);
    const menuKey = JSON.stringify(model.menu);
    if (this.#last?.menu !== menuKey) this.#tray.setContextMenu(this.options.buildMenu(toMenuTemplate(model.menu, this.options.dispatch)));
    this.#last = { icon: model.icon, tooltip: model.tooltip, menu: menuKey };
  }

  get exists(): boolean {
    return this.#tray !== null;
  }

  destroy(): void {
    this.#tray?.destroy();
    this.#tray = null;
    this.#last = null;
  }
}
