// Tolerant look-ups in /api/state: branches and clients may be arrays or name-keyed objects.

export function listOf(v) {
  if (Array.isArray(v)) return v;
  if (v && typeof v === 'object') return Object.entries(v).map(([name, x]) => (x && typeof x === 'object' ? { name, ...x } : { name, value: x }));
  return [];
}

export function findBranch(state, name) {
  return listOf(state?.branches).find((b) => b && (b.name === name || b.id === name));
}

// Every client entry, wherever the state puts them (top-level `clients`, or per branch).
export function allClients(state) {
  const out = [];
  const clients = state?.clients;
  if (Array.isArray(clients)) out.push(...clients);
  else if (clients && typeof clients === 'object') {
    for (const [k, v] of Object.entries(clients)) {
      if (Array.isArray(v)) out.push(...v.map((c) => (c && typeof c === 'object' ? { group: k, ...c } : { group: k, value: c })));
      else if (v && typeof v === 'object') out.push({ group: k, ...v });
      else out.push({ group: k, value: v });
    }
  }
  for (const b of listOf(state?.branches)) {
    for (const c of listOf(b?.clients ?? b?.subscribers)) out.push({ branch: b.name, ...c });
  }
  return out;
}

// True when some client entry says it is a Direct (WebSocket) client.
export function hasDirectClient(state) {
  if (typeof state?.clients?.direct === 'number') return state.clients.direct > 0;
  return allClients(state).some((c) => {
    if (c.group && /direct/i.test(c.group) && (c.value === undefined || Number(c.value) > 0)) return true;
    return /direct/i.test(`${c.mode ?? ''} ${c.kind ?? ''} ${c.type ?? ''} ${c.transport ?? ''} ${c.protocol ?? ''}`);
  });
}
