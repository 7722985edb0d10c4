/**
 * Debian's Chromium, driven by playwright-core, for the web UI's end-to-end
 * tests. Playwright cannot download a browser here, so the tests use the one
 * `scripts/setup.sh` installs (apt-get install chromium) and fail, never
 * skip, when it is missing. Each launch gets a fresh profile (Playwright's own
 * temporary --user-data-dir).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { REPO_ROOT } from './repo-root.js';

export const CHROMIUM_PATH = process.env.HOIST_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** Where screenshots go (gitignored). */
export const ARTIFACTS_DIR = path.join(REPO_ROOT, 'test-artifacts');

/** Flags known to work on these machines: no GPU, and no background calls to a closed network. */
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}: the web UI tests need Debian's chromium. ` +
        'Run `bash scripts/setup.sh` as root (or `apt-get install -y chromium`), or set HOIST_TEST_CHROMIUM.',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_FLAGS });
}

/**
 * Fails unless web/dist holds a build at least as new as every file of the
 * UI's source: a stale build would test yesterday's UI.
 */
export function assertWebBuilt(): void {
  const web = path.join(REPO_ROOT, 'web');
  const index = path.join(web, 'dist', 'index.html');
  if (!existsSync(index)) {
    throw new Error('web/dist/index.html is missing: run `npm run build` before the UI tests.');
  }
  const built = statSync(index).mtimeMs;
  const sources = [path.join(web, 'index.html'), path.join(web, 'vite.config.ts')];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else sources.push(full);
    }
  };
  walk(path.join(web, 'src'));
  walk(path.join(web, 'public'));
  const newer = sources.filter((file) => statSync(file).mtimeMs > built);
  if (newer.length > 0) {
    throw new Error(
      `web/dist is older than ${path.relative(REPO_ROOT, newer[0] ?? '')}: run \`npm run build\` before the UI tests.`,
    );
  }
}

/** Saves a full-page PNG as test-artifacts/<name>.png; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(ARTIFACTS_DIR, { recursive: true });
  const file = path.join(ARTIFACTS_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
