// A fake wall clock with fake timers, and fake VideoFrames, for tests of the page's code that
// runs on time without a browser (web/js/picture_hold.js, frame_mailbox.js).

export const T0 = 1_700_000_000_000; // ms, the fake wall clock's start

// { clock: { now }, now(), timers: { set, clear } (as PictureHold takes them), pending (the
// timers not yet fired, by id), advance(to): moves the clock to `to`, firing due timers in order }
export function fakeClock(t0 = T0) {
  const clock = { now: t0 };
  const pending = new Map();
  let nextId = 1;
  const timers = {
    set: (fn, ms) => {
      const id = nextId++;
      pending.set(id, { fn, at: clock.now + ms });
      return id;
    },
    clear: (id) => pending.delete(id),
  };
  const advance = (to) => {
    for (let guard = 0; guard < 1000; guard++) {
      const due = [...pending.entries()].filter(([, t]) => t.at <= to).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      pending.delete(due[0]);
      clock.now = Math.max(clock.now, due[1].at);
      due[1].fn();
    }
    clock.now = to;
  };
  return { clock, now: () => clock.now, timers, pending, advance };
}

// { frame(name, ageMs): a frame captured ageMs before the clock's now, draw(frame): records
// and closes it, drawn and closed: the names, in order }
export function fakeFrames(clock) {
  const drawn = [];
  const closed = [];
  return {
    drawn,
    closed,
    frame: (name, ageMs = 0) => ({ name, timestamp: (clock.now - ageMs) * 1000, close: () => closed.push(name) }),
    draw: (f) => {
      drawn.push(f.name);
      f.close();
    },
  };
}
