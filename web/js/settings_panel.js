// The settings panel and the branch chooser (docs/protocol.md, "Live settings").
//
// A "Settings" button in the bar opens a small panel: a branch chooser (the page reloads on
// ?branch=ID, so Direct and WebRTC play that branch) and the chosen branch's bitrate, fps, GOP
// and size, plus the JPEG quality. "Apply" sends only the fields that changed to
// POST /api/settings and shows the server's answer (or its reason for a 400). The panel reads
// the settings again each time it opens (it opens no /ws/events socket of its own).
//
// Test hook: window.framewireSettings = { refresh(), apply(fields) }.

const $ = (sel) => document.querySelector(sel);
const params = new URLSearchParams(location.search);

const FIELDS = [
  ['bitrate', 'bitrate kbit/s'],
  ['fps', 'fps'],
  ['gop', 'GOP (0: on request)'],
  ['width', 'width'],
  ['height', 'height'],
];

let doc = null; // the last GET /api/settings
let shown = null; // the values the form was filled with

function build() {
  const bar = $('.bar');
  if (!bar) return null;
  const button = document.createElement('button');
  button.type = 'button';
  button.id = 'settings-button';
  button.textContent = 'Settings';
  button.title = 'Branch and live encoder settings';
  button.setAttribute('aria-expanded', 'false');
  const snapshot = $('#snapshot-link');
  bar.insertBefore(button, snapshot || null);

  const panel = document.createElement('form');
  panel.id = 'settings-panel';
  panel.hidden = true;
  panel.style.cssText =
    'position:absolute;right:12px;top:44px;z-index:5;background:var(--panel,#15191e);' +
    'border:1px solid var(--line,#262c34);border-radius:6px;padding:10px;display:grid;' +
    'grid-template-columns:auto 8em;gap:6px 10px;align-items:center;font-size:13px';
  const rows = [['branch', 'branch']].concat(FIELDS, [['jpeg_quality', 'JPEG quality']]);
  for (const [name, label] of rows) {
    const l = document.createElement('label');
    l.textContent = label;
    l.htmlFor = `settings-${name}`;
    const input = document.createElement(name === 'branch' ? 'select' : 'input');
    input.id = `settings-${name}`;
    input.name = name;
    if (name !== 'branch') {
      input.type = 'number';
      input.step = '1';
      input.min = '0';
    }
    panel.append(l, input);
  }
  const apply = document.createElement('button');
  apply.type = 'submit';
  apply.textContent = 'Apply';
  const result = document.createElement('output');
  result.id = 'settings-result';
  result.style.cssText = 'grid-column:1 / -1;max-width:22em;white-space:normal';
  panel.append(apply, document.createElement('span'), result);
  document.body.append(panel);

  button.addEventListener('click', () => {
    panel.hidden = !panel.hidden;
    button.setAttribute('aria-expanded', String(!panel.hidden));
    if (!panel.hidden) refresh();
  });
  $('#settings-branch').addEventListener('change', (e) => {
    // another branch: play it (the players read ?branch=)
    const url = new URL(location.href);
    url.searchParams.set('branch', e.target.value);
    location.assign(url);
  });
  panel.addEventListener('submit', (e) => {
    e.preventDefault();
    const changed = {};
    for (const name of FIELDS.map(([n]) => n).concat(['jpeg_quality'])) {
      const input = $(`#settings-${name}`);
      if (input.value === '' || !shown || String(shown[name]) === input.value) continue;
      changed[name] = Number(input.value);
    }
    apply(changed);
  });
  return panel;
}

function currentBranch() {
  if (!doc) return params.get('branch');
  return params.get('branch') || doc.default_branch;
}

async function refresh() {
  try {
    const res = await fetch('/api/settings', { cache: 'no-store' });
    if (!res.ok) return;
    doc = await res.json();
  } catch {
    return;
  }
  const select = $('#settings-branch');
  if (!select) return;
  select.replaceChildren(
    ...doc.branches.map((b) => {
      const o = document.createElement('option');
      o.value = b.id;
      o.textContent = `${b.id} (${b.codec}, ${b.encoder})`;
      return o;
    }),
  );
  const id = currentBranch();
  select.value = id;
  const branch = doc.branches.find((b) => b.id === id);
  shown = branch ? { ...branch } : null;
  for (const [name] of FIELDS) {
    const input = $(`#settings-${name}`);
    input.value = branch ? branch[name] : '';
  }
}

async function apply(fields) {
  const out = $('#settings-result');
  if (Object.keys(fields).length === 0) {
    if (out) out.textContent = 'nothing changed';
    return { status: 0 };
  }
  const body = { branch: currentBranch(), ...fields };
  const res = await fetch('/api/settings', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
  const answer = await res.json().catch(() => ({}));
  if (out) out.textContent = res.ok ? `applied (${answer.applied})` : `refused: ${answer.error}`;
  await refresh();
  return { status: res.status, answer };
}

if (build()) {
  window.framewireSettings = { refresh, apply };
}
