import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { appPaths } from '../../../main/appPaths.js';

describe('appPaths', () => {
  const exists = (roots: string[]) => (file: string) => roots.some((r) => file === path.join(r, 'package.json'));

  it('finds the app root above the bundle (development) and inside app.asar (packaged)', () => {
    expect(appPaths('/repo/dist/main', exists(['/repo']))).toEqual({
      root: '/repo',
      renderer: '/repo/dist/renderer',
      preload: '/repo/dist/preload/preload.cjs',
      trayIcons: '/repo/build/icons/tray',
    });
    expect(appPaths('/opt/Earshot/resources/app.asar/dist/main', exists(['/opt/Earshot/resources/app.asar'])).preload).toBe(
      '/opt/Earshot/resources/app.asar/dist/preload/preload.cjs',
    );
  });

  it('finds the same root from the sources (tests)', () => {
    expect(appPaths('/repo/main', exists(['/repo'])).renderer).toBe('/repo/dist/renderer');
  });

  it('fails clearly without a package.json', () => {
    expect(() => appPaths('/nowhere/x', () => false)).toThrow('no package.json above /nowhere/x');
  });
});
