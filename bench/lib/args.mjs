// --key value / --flag command-line parsing with defaults; unknown keys stop the run.

export function parseArgs(argv, defaults, usage) {
  const out = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') {
      console.log(usage);
      process.exit(0);
    }
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}\n${usage}`);
    const key = a.slice(2);
    if (key.startsWith('no-') && typeof defaults[key.slice(3)] === 'boolean') {
      out[key.slice(3)] = false;
      continue;
    }
    if (!(key in defaults)) throw new Error(`unknown option --${key}\n${usage}`);
    if (typeof defaults[key] === 'boolean') {
      out[key] = true;
      continue;
    }
    const v = argv[++i];
    if (v === undefined) throw new Error(`--${key} needs a value`);
    out[key] = typeof defaults[key] === 'number' ? Number(v) : v;
  }
  return out;
}

// "1280x720@60:4000:0" → { size, fps, bitrate, gop, label }
export function parseConfig(text) {
  const m = /^(\d+)x(\d+)@(\d+):(\d+):(\d+)$/.exec(text.trim());
  if (!m) throw new Error(`bad config "${text}" (want WxH@FPS:KBPS:GOP, e.g. 1280x720@60:4000:0)`);
  const [, w, h, fps, bitrate, gop] = m;
  return { size: `${w}x${h}`, width: +w, height: +h, fps: +fps, bitrate: +bitrate, gop: +gop, label: `${h}p${fps} ${bitrate}k gop${gop}` };
}
