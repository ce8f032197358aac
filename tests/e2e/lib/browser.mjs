// Headless Chromium (Debian's /usr/bin/chromium) through playwright-core, in a fresh profile
// directory that is removed afterwards. The resolver rules keep it off every network but
// loopback; extraRules can map a test name onto 127.0.0.1 (for a non-secure origin); extraArgs
// adds Chromium switches (e.g. --allow-loopback-in-peer-connection for WebRTC tests).

import fs from 'node:fs';
import { chromium } from 'playwright-core';
import { tmpDir } from './framewire.mjs';

export const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';

export async function launchBrowser({ extraRules = [], extraArgs = [] } = {}) {
  const profile = tmpDir('fw-chromium-');
  const rules = [...extraRules, 'MAP * ~NOTFOUND', 'EXCLUDE localhost', 'EXCLUDE 127.0.0.1'].join(' , ');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
      `--host-resolver-rules=${rules}`,
      ...extraArgs,
    ],
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
