// Renders the bench charts to PNG with the headless Chromium the bench already uses (an SVG
// page screenshot), so no plotting package is needed.

import fs from 'node:fs';
import path from 'node:path';
import { launchBrowser } from './browser.mjs';
import { benchDir } from './process.mjs';

// data: { latency?: latency results, fanout?: fanout results }; returns the PNG path.
export async function renderChart(data, pngPath) {
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    await page.setViewportSize({ width: 1260, height: 900 });
    await page.setContent(fs.readFileSync(path.join(benchDir, 'page', 'chart.html'), 'utf8'));
    const panels = await page.evaluate((d) => window.draw(d), data);
    if (panels === 0) return null;
    await page.locator('#chart').screenshot({ path: pngPath });
    return pngPath;
  } finally {
    await browser.close();
  }
}
