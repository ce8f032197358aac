#!/usr/bin/env node
// Renders one PNG from a latency and a fan-out result (the README's chart):
//   node bench/combine_chart.mjs results/latency-….json results/fanout-….json out.png

import fs from 'node:fs';
import { renderChart } from './lib/chart.mjs';

const [latencyJson, fanoutJson, out] = process.argv.slice(2);
if (!latencyJson || !fanoutJson || !out) {
  console.error('usage: node bench/combine_chart.mjs LATENCY.json FANOUT.json OUT.png');
  process.exit(2);
}
const read = (p) => JSON.parse(fs.readFileSync(p, 'utf8'));
const png = await renderChart({ latency: read(latencyJson), fanout: read(fanoutJson) }, out);
console.log(png ? `chart: ${png}` : 'nothing to draw');
