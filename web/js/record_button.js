// The record button: starts and stops the server-side recording (POST /api/record/start|stop)
// and shows the elapsed time and the size written, from /api/state once a second. The file
// list and downloads are at /api/recordings and /recordings/<name>.

const button = document.getElementById('record-button');
const POLL_MS = 1000;

function formatElapsed(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600);
  const m = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const sec = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${m}:${sec}` : `${m}:${sec}`;
}

function formatBytes(bytes) {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${Math.round(bytes / 1e3)} kB`;
}

let recording = false;
let busy = false;

function show(state) {
  const rec = state && state.recording;
  recording = !!(rec && rec.active);
  button.setAttribute('aria-pressed', String(recording));
  button.dataset.recording = String(recording);
  if (recording) {
    button.textContent = `● REC ${formatElapsed(rec.elapsed_s)} · ${formatBytes(rec.bytes)}`;
    button.title = `Recording to ${rec.file} (click to stop)`;
    button.style.color = '#e33';
  } else {
    button.textContent = 'Record';
    button.title = rec && rec.last_error ? `Last recording stopped: ${rec.last_error}`
                                         : 'Record to MP4 on the server (no re-encoding)';
    button.style.color = '';
  }
}

async function poll() {
  try {
    const response = await fetch('/api/state', { cache: 'no-store' });
    if (response.ok) show(await response.json());
  } catch {
    // The server is restarting: the next poll tries again.
  }
}

async function toggle() {
  if (busy) return;
  busy = true;
  try {
    const response = await fetch(recording ? '/api/record/stop' : '/api/record/start',
                                 { method: 'POST' });
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      button.title = body.error || `HTTP ${response.status}`;
    }
  } finally {
    busy = false;
    poll();
  }
}

if (button) {
  button.hidden = false;
  button.addEventListener('click', toggle);
  poll();
  setInterval(poll, POLL_MS);
}
