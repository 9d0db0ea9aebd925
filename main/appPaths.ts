import path from 'node:path';

/**
 * Where the app's files are, from the folder of the running main module: the nearest folder
 * above it with a package.json is the app root (the repository in development, `app.asar` when
 * packaged), whether main runs bundled (dist/main/main.mjs) or from source (main/main.ts, tests).
 */
export interface AppPaths {
  root: string;
  /** The built web client served at app://earshot/. */
  renderer: string;
  /** The bundled preload (one CommonJS file). */
  preload: string;
  /** Tray icons (`<state>.png`, `<state>@2x.png`). */
  trayIcons: string;
}

export function appPaths(moduleDir: string, exists: (file: string) => boolean): AppPaths {
  let dir = path.resolve(moduleDir);
  while (!exists(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${moduleDir}`);
    dir = parent;
  }
  return {
    root: dir,
    renderer: path.join(dir, 'dist', 'renderer'),
    preload: path.join(dir, 'dist', 'preload', 'preload.cjs'),
    trayIcons: path.join(dir, 'build', 'icons', 'tray'),
  };
}
