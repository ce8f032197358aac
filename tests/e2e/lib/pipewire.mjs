// A PipeWire of a test's own, as root, with no systemd and no login session: the daemon
// (`pipewire -c <conf>`, its socket pipewire-0 in a temp XDG_RUNTIME_DIR) with a dummy driver to
// clock the graph and one null sink (support.null-audio-sink through the adapter, with monitor
// ports), a private D-Bus session bus (`dbus-daemon --session`, which WirePlumber will not start
// without) and WirePlumber, the session manager that links streams to the node their
// target.object names, as on a desktop. Every process goes into the caller's `children`.

import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { tmpDir, waitFor } from './framewire.mjs';
import { stopChild } from './pulse.mjs';

const CONF = `
context.properties = {
    core.daemon = true
    core.name   = pipewire-0
    default.clock.rate = 48000
    default.clock.quantum = 1024
    default.clock.min-quantum = 32
}
context.spa-libs = {
    audio.convert.* = audioconvert/libspa-audioconvert
    support.*       = support/libspa-support
}
context.modules = [
    { name = libpipewire-module-protocol-native }
    { name = libpipewire-module-metadata }
    { name = libpipewire-module-spa-node-factory }
    { name = libpipewire-module-client-node }
    { name = libpipewire-module-access args = { } }
    { name = libpipewire-module-adapter }
    { name = libpipewire-module-link-factory }
]
context.objects = [
    { factory = metadata args = { metadata.name = default } }
    { factory = spa-node-factory
        args = { factory.name = support.node.driver node.name = Dummy-Driver
                 node.group = pipewire.dummy priority.driver = 20000 } }
    { factory = adapter
        args = { factory.name = support.null-audio-sink node.name = SINK media.class = Audio/Sink
                 audio.position = [ FL FR ] object.linger = true
                 adapter.auto-port-config = { mode = dsp monitor = true control = false position = preserve } } }
]
`;

function tryRun(run, cmd, args) {
  try {
    return run(cmd, args);
  } catch {
    return '';
  }
}

function spawnLogged(cmd, args, env, children) {
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  child.logText = '';
  child.stdout.on('data', (d) => (child.logText += d));
  child.stderr.on('data', (d) => (child.logText += d));
  return child;
}

// Starts PipeWire with a null sink `sinkName`, a session bus and WirePlumber.
export async function startPipeWire(sinkName, children) {
  const dir = tmpDir('fw-pipewire-');
  const conf = path.join(dir, 'pipewire.conf');
  fs.writeFileSync(conf, CONF.replace('SINK', sinkName));
  const bus = `unix:path=${path.join(dir, 'bus')}`;
  // HOME and XDG_*: WirePlumber keeps its state (default nodes, volumes) under them
  const env = {
    ...process.env,
    XDG_RUNTIME_DIR: dir,
    PIPEWIRE_RUNTIME_DIR: dir,
    HOME: dir,
    XDG_CONFIG_HOME: path.join(dir, 'config'),
    XDG_STATE_HOME: path.join(dir, 'state'),
    DBUS_SESSION_BUS_ADDRESS: bus,
  };
  delete env.PIPEWIRE_REMOTE;
  const run = (cmd, args) => execFileSync(cmd, args, { env, timeout: 10000 }).toString();
  const procs = [];
  const pw = spawnLogged('pipewire', ['-c', conf], env, procs);
  const dbus = spawnLogged('dbus-daemon', ['--session', '--nofork', '--nopidfile', `--address=${bus}`], env, procs);
  children.push(...procs);
  const log = () => procs.map((p) => `${p.spawnfile}: ${p.logText}`).join('\n');
  await waitFor(() => fs.existsSync(path.join(dir, 'pipewire-0')) && fs.existsSync(path.join(dir, 'bus')), {
    timeoutMs: 10000,
    what: `PipeWire's and D-Bus's sockets (${log()})`,
  });
  const wp = spawnLogged('wireplumber', [], env, procs);
  children.push(wp);
  const pipewire = {
    dir,
    env,
    run,
    log,
    // node.name → {id, props} of the nodes now in the graph (pw-dump: full properties)
    nodes() {
      const nodes = {};
      let objects = [];
      try {
        objects = JSON.parse(tryRun(run, 'pw-dump', []));
      } catch {
        return nodes;
      }
      for (const o of objects) {
        const props = o?.info?.props;
        if (o.type === 'PipeWire:Interface:Node' && props?.['node.name']) nodes[props['node.name']] = { id: o.id, props };
      }
      return nodes;
    },
    // "out -> in" for every link now in the graph
    links() {
      const out = [];
      let from = null;
      for (const line of tryRun(run, 'pw-link', ['-l', '-o']).split('\n')) {
        const link = /^\s+\|-> (.+)$/.exec(line);
        if (link && from) out.push(`${from} -> ${link[1].trim()}`);
        else if (line.trim()) from = line.trim();
      }
      return out;
    },
    stop() {
      for (const p of procs) stopChild(p);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  // WirePlumber is up once it has configured the sink (its ports listed by the daemon)
  await waitFor(() => /monitor_FL/.test(tryRun(run, 'pw-link', ['-o'])) && wp.exitCode === null, {
    timeoutMs: 15000,
    what: `the null sink's monitor ports and WirePlumber running (${log()})`,
  });
  return pipewire;
}
