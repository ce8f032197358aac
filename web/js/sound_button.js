// The sound button (and key s): browsers start sound only from a user gesture, so the page
// plays muted until this is clicked. WebRTC sound comes with the picture in the <video>
// (unmuted here); Direct sound goes through the AudioPlayer (Web Audio). The choice holds
// across mode switches and reconnects.

const button = document.getElementById('sound-button');
const video = document.getElementById('video-el');
let on = false;

function apply() {
  const api = window.framewire;
  button.setAttribute('aria-pressed', String(on));
  button.textContent = on ? 'Sound on' : 'Sound off';
  video.muted = !on;
  if (on) video.play().catch(() => {});
  const player = api && api.audioPlayer;
  if (player) {
    if (on) player.unmute();
    else player.mute();
  }
}

// WebRtcPlayer.start() mutes the <video> again for autoplay: follow the choice afterwards.
video.addEventListener('loadedmetadata', () => {
  if (on && video.muted) video.muted = false;
});

function toggle() {
  on = !on;
  apply();
}

if (button) {
  button.addEventListener('click', toggle);
  document.addEventListener('keydown', (e) => {
    if (e.target instanceof HTMLInputElement) return;
    if (e.key === 's') toggle();
  });
}
