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
}

/** Applies tray models to the native tray, touching only what changed. */
export class AppTray<Image, Menu> {
  #tray: TrayLike<Image, Menu> | null = null;
  #last: { icon: TrayIconName; tooltip: string; menu: string } | null = null;

  constructor(private readonly options: AppTrayOptions<Image, Menu>) {}

  update(model: TrayModel): void {
    if (!this.#tray) {
      this.#tray = this.options.createTray(this.options.image(model.icon));
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
