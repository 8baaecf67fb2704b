import fs from 'node:fs'
const p = JSON.parse(fs.readFileSync(process.argv[2]))
const byId = new Map(p.nodes.map((n) => [n.id, n]))
const parent = new Map()
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
// sample times
let t = p.startTime
const times = p.timeDeltas.map((d) => (t += d))
const idleIds = new Set(p.nodes.filter((n) => ['(idle)', '(program)', '(garbage collector)'].includes(n.callFrame.functionName)).map((n) => n.id))
const idle = new Set(p.nodes.filter((n) => n.callFrame.functionName === '(idle)').map((n) => n.id))
// busiest 12 s window
const W = 12e6
let best = [0, 0], j = 0, busy = 0
for (let i = 0; i < times.length; i++) {
  if (!idle.has(p.samples[i])) busy++
  while (times[i] - times[j] > W) { if (!idle.has(p.samples[j])) busy--; j++ }
  if (busy > best[0]) best = [busy, j, i]
}
const [, a, b] = best
console.log('window', ((times[a] - p.startTime) / 1e6).toFixed(1), 's to', ((times[b] - p.startTime) / 1e6).toFixed(1), 'busy samples', best[0], 'of', b - a)
const self = new Map(), cat = new Map(), incl = new Map()
const label = (n) => `${n.callFrame.functionName || '(anon)'} ${n.callFrame.url.replace(/.*node_modules\//, 'nm/').replace(/.*\/dist\//, 'dist/')}:${n.callFrame.lineNumber}`
const pkg = (n) => { const u = n.callFrame.url; if (!u) return n.callFrame.functionName.startsWith('(') ? n.callFrame.functionName : '(native)'; const m = u.match(/node_modules\/((@[^/]+\/)?[^/]+)/); if (m) return m[1]; if (u.includes('/dist/server/')) return 'server:' + u.replace(/.*\/dist\/server\//, '').split('/').slice(0, 2).join('/'); if (u.startsWith('node:')) return u; return u }
let total = 0
for (let i = a; i <= b; i++) {
  const id = p.samples[i]; if (idle.has(id)) continue
  total++
  const n = byId.get(id)
  self.set(label(n), (self.get(label(n)) ?? 0) + 1)
  cat.set(pkg(n), (cat.get(pkg(n)) ?? 0) + 1)
  const seen = new Set()
  for (let x = id; x !== undefined; x = parent.get(x)) { const l = label(byId.get(x)); if (!seen.has(l)) { seen.add(l); incl.set(l, (incl.get(l) ?? 0) + 1) } }
}
const top = (m, k) => [...m].sort((x, y) => y[1] - x[1]).slice(0, k).map(([l, c]) => `${(100 * c / total).toFixed(1).padStart(5)}%  ${l}`).join('\n')
console.log('non-idle samples', total)
console.log('--- by package (self)\n' + top(cat, 30))
console.log('--- self\n' + top(self, 40))
console.log('--- inclusive\n' + top(incl, 70))
