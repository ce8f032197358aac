// The Mic button (key m is MJPEG, so key t: talk): sends the viewer's microphone to the host
// over WebRTC. Shown in WebRTC mode when the server takes microphones (/api/state
// webrtc.microphone, the `microphone` setting). The click is the user gesture getUserMedia
// needs; the browser then asks for permission. The title says what the server made of it.

import { microphone } from './microphone.js';

const button = document.getElementById('mic-button');
let serverTakes = false;

function render() {
  const on = !!microphone.track;
  const webrtc = document.body.dataset.mode === 'webrtc';
  button.hidden = !serverTakes || !webrtc;
  button.setAttribute('aria-pressed', String(on));
  button.textContent = on ? 'Mic on' : 'Mic off';
  const status = window.framewire?.stats?.microphone;
  if (on && status === 'refused') button.title = 'The server did not take the microphone (only one viewer speaks at a time, or it is off)';
  else if (on) button.title = 'Your microphone is sent to the host (click to stop; key t)';
  else if (!button.title.startsWith('Microphone refused')) button.title = 'Send your microphone to the host (key t)';
}

async function toggle() {
  if (microphone.track) {
    microphone.close();
  } else {
    try {
      await microphone.open();
      button.title = '';
    } catch (e) {
      button.title = `Microphone refused: ${e.message ?? e}`;
    }
  }
  render();
}

async function probe() {
  try {
    const response = await fetch('/api/state', { cache: 'no-store' });
    if (!response.ok) return;
    const state = await response.json();
    serverTakes = !!state?.webrtc?.microphone;
  } catch {
    // the server is restarting: the button stays as it was
  }
  render();
}

if (button) {
  button.addEventListener('click', toggle);
  document.addEventListener('keydown', (e) => {
    if (e.target instanceof HTMLInputElement) return;
    if (e.key === 't' && !button.hidden) toggle();
  });
  new MutationObserver(render).observe(document.body, { attributes: true, attributeFilter: ['data-mode'] });
  microphone.listen(render);
  probe();
  setInterval(render, 1000);
}
