import { test } from '@playwright/test';
import { canCreateNamespaces } from './netns.js';

/**
 * Every test of this spec needs test networks (netns.ts): where `check` (default: namespaces
 * can be made) fails, each test reports itself skipped with the reason, also printed as
 * `[<tag>] skipped: <reason>` so a CI log shows why.
 */
export function skipWithoutNamespaces(tag: string, check: () => Promise<{ ok: boolean; reason?: string }> = canCreateNamespaces): void {
  // eslint-disable-next-line no-empty-pattern -- Playwright passes testInfo second, after the fixtures object.
  test.beforeEach(async ({}, testInfo) => {
    const probe = await check();
    if (!probe.ok) console.warn(`[${tag}] skipped: ${probe.reason}`);
    testInfo.skip(!probe.ok, probe.reason);
  });
}
