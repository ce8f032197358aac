// Reconnect with exponential backoff and jitter: 250 ms, 500 ms, 1 s ... up to 5 s. A player
// calls succeeded() once data flows again, so the next failure starts from the short delay.

export class Backoff {
  constructor({ initialMs = 250, maxMs = 5000 } = {}) {
    this.initialMs = initialMs;
    this.maxMs = maxMs;
    this.attempt = 0;
    this.timer = null;
  }

  // Runs fn after the next delay; only one retry is pending at a time.
  schedule(fn) {
    if (this.timer !== null) return;
    const base = Math.min(this.maxMs, this.initialMs * 2 ** this.attempt);
    const delay = base * (0.8 + Math.random() * 0.4);
    this.attempt++;
    this.timer = setTimeout(() => {
      this.timer = null;
      fn();
    }, delay);
  }

  succeeded() {
    this.attempt = 0;
  }

  cancel() {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
