// The learning lab's page. It only draws: every number comes from the library through /api/*. The whole state lives
// in the URL's query string, so a link reopens exactly the same lesson.
'use strict';
const $ = id => document.getElementById(id);
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
const KINDS = ['gd', 'momentum', 'nesterov', 'adagrad', 'rmsprop', 'adam', 'lion'];
const DEFAULT_LR = { gd: 0.05, momentum: 0.02, nesterov: 0.02, adagrad: 0.5, rmsprop: 0.02, adam: 0.1, lion: 0.03 };
const fmt = v => v == null || !isFinite(v) ? '—' : (Math.abs(v) >= 1e4 || (Math.abs(v) < 1e-3 && v !== 0)) ? v.toExponential(2) : +v.toPrecision(3) + '';

// ---------- state in the URL ----------
const DEFAULTS = {
  tab: 'race', controls: 'show',
  surface: 'quadratic', kappa: '10', expr: 'x^2 + 3*y^2', start: '', steps: '200', plateau: '0',
  opt: 'gd:0.15;momentum:0.05:0.9;adam:0.2',
  f: 'w^2', lr: '0.3', w0: '2', lsteps: '12',
  ds: 'moons', noise: '0.15', test: '0.3', hidden: '8,8', act: 'tanh', popt: 'adam', plr: '0.03', batch: '16', l2: '0', seed: '1',
  fmin: '1e-5', fmax: '10',
};
const S = Object.assign({}, DEFAULTS);
for (const [k, v] of new URLSearchParams(location.search)) if (k in S) S[k] = v;
function save() {
  const q = new URLSearchParams();
  for (const k of Object.keys(S)) if (S[k] !== DEFAULTS[k]) q.set(k, S[k]);
  const s = q.toString();
  history.replaceState(null, '', s ? '?' + s : location.pathname);
}
function set(k, v) { S[k] = String(v); save(); }

async function api(path, body) {
  const r = await fetch(path, body === undefined ? {} : { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const j = await r.json();
  if (!r.ok) { const e = new Error(j.error || r.statusText); e.field = j.field; throw e; }
  return j;
}
function debounce(fn, ms) { let t = 0; return (...a) => { clearTimeout(t); t = setTimeout(() => fn(...a), ms); }; }
// Requests that finish out of order: only the latest one draws.
function latest(fn) { let n = 0; return async (...a) => { const mine = ++n; const r = await fn(...a); return mine === n ? r : undefined; }; }

// ---------- tabs and focus ----------
function showTab(name) {
  for (const b of document.querySelectorAll('#tabs button')) b.classList.toggle('active', b.dataset.tab === name);
  for (const s of document.querySelectorAll('.tab')) s.classList.toggle('active', s.id === name);
  set('tab', name);
  if (name === 'line') runLine();
  if (name === 'play' && !play.id) resetPlay();
}
for (const b of document.querySelectorAll('#tabs button')) b.onclick = () => showTab(b.dataset.tab);
function applyFocus() { document.body.classList.toggle('focus', S.controls === 'hide'); $('focus').textContent = S.controls === 'hide' ? 'Show controls' : 'Hide controls'; }
$('focus').onclick = () => { set('controls', S.controls === 'hide' ? 'show' : 'hide'); applyFocus(); };
$('copy').onclick = async () => { try { await navigator.clipboard.writeText(location.href); $('copy').textContent = 'Copied'; } catch { $('copy').textContent = 'Copy the address bar'; } setTimeout(() => $('copy').textContent = 'Copy link', 1500); };

// ---------- charts ----------
function lineChart(el, width, height, series, opts = {}) {
  return new uPlot({
    width, height, legend: { show: true },
    scales: { x: { time: false, distr: opts.logX ? 3 : 1 }, y: { distr: opts.logY ? 3 : 1 } },
    axes: [{ label: opts.xLabel || 'step', ...(opts.logX ? { values: (u, v) => v.map(decade) } : {}) },
      { label: opts.yLabel || 'loss', size: 70, values: (u, v) => v.map(opts.logY ? decade : fmt) }],
    series: [{ label: opts.xLabel || 'step', value: (u, v) => fmt(v) }, ...series.map(s => ({ width: 2, value: (u, v) => fmt(v), ...s }))],
    hooks: opts.hooks || {},
  }, [[], ...series.map(() => [])], el);
}

// On a log axis only the powers of ten are labelled.
const decade = v => Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-6 ? fmt(v) : '';
// A log axis over hundreds of decades has no room for its ticks: losses are floored at 1e-16 for the chart only.
const floorLog = v => v == null ? null : Math.max(v, 1e-16);

// Viridis-like colour ramp for t in [0, 1].
const RAMP = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
function ramp(t, stops = RAMP) {
  t = Math.min(1, Math.max(0, t)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(t)), f = t - i, a = stops[i], b = stops[i + 1];
  return [a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f];
}
// Fills the canvas with grid values (rows from the bottom up) through colour(t), smoothly scaled.
function paintGrid(ctx, values, cols, rows, colour) {
  const img = new ImageData(cols, rows);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
    const v = values[r * cols + c], o = ((rows - 1 - r) * cols + c) * 4;
    const [R, G, B] = v == null || isNaN(v) ? [255, 255, 255] : colour(v);
    img.data[o] = R; img.data[o + 1] = G; img.data[o + 2] = B; img.data[o + 3] = 255;
  }
  const off = document.createElement('canvas'); off.width = cols; off.height = rows;
  off.getContext('2d').putImageData(img, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.drawImage(off, 0, 0, ctx.canvas.width, ctx.canvas.height);
}
// Marching squares: the segments where the grid crosses `level`, in grid coordinates (column, row).
function isoSegments(v, cols, rows, level) {
  const seg = [];
  for (let r = 0; r < rows - 1; r++) for (let c = 0; c < cols - 1; c++) {
    const a = v[r * cols + c], b = v[r * cols + c + 1], d = v[(r + 1) * cols + c], e = v[(r + 1) * cols + c + 1];
    if ([a, b, d, e].some(x => x == null || isNaN(x))) continue;
    const pts = [];
    const edge = (p, q, x0, y0, x1, y1) => { if ((p < level) !== (q < level)) { const t = (level - p) / (q - p); pts.push([x0 + (x1 - x0) * t, y0 + (y1 - y0) * t]); } };
    edge(a, b, c, r, c + 1, r); edge(b, e, c + 1, r, c + 1, r + 1); edge(e, d, c + 1, r + 1, c, r + 1); edge(d, a, c, r + 1, c, r);
    if (pts.length >= 2) seg.push(pts[0], pts[1]);
    if (pts.length === 4) seg.push(pts[2], pts[3]);
  }
  return seg;
}

// ---------- 1. the optimizer race ----------
const race = { surface: null, paths: [], step: 0, timer: 0, chart: null, chartKey: '' };
const map = $('race-map'), mapCtx = map.getContext('2d');
let background = null;

function parseOpts() {
  return S.opt.split(';').filter(Boolean).map(t => {
    const [kind, lr, b1, b2] = t.split(':');
    return { kind: KINDS.includes(kind) ? kind : 'gd', lr: +lr || DEFAULT_LR[kind] || 0.01, b1: b1 === undefined || b1 === '' ? null : +b1, b2: b2 === undefined || b2 === '' ? null : +b2 };
  }).slice(0, 8);
}
function writeOpts(list) { set('opt', list.map(o => [o.kind, o.lr, o.b1 ?? '', o.b2 ?? ''].join(':').replace(/:+$/, '')).join(';')); }
const hasB1 = k => k !== 'gd' && k !== 'adagrad';
const hasB2 = k => k === 'adam' || k === 'lion';
const b1Name = k => k === 'rmsprop' ? 'α' : k === 'momentum' || k === 'nesterov' ? 'μ' : 'β₁';
const b1Default = k => k === 'rmsprop' ? 0.99 : 0.9;
const b2Default = k => k === 'lion' ? 0.99 : 0.999;

function buildOptRows() {
  const list = parseOpts(), box = $('optimizers');
  box.innerHTML = '';
  list.forEach((o, i) => {
    const div = document.createElement('div');
    div.className = 'opt'; div.style.setProperty('--c', COLORS[i % COLORS.length]); div.dataset.index = i;
    div.innerHTML = `<div class="head"><b>${o.kind}</b><button class="rm" title="Remove">✕</button></div>
      <div class="row"><label>η <span class="slider"><input type="range" class="lr" min="-4" max="1" step="0.005"><span class="bound" hidden></span></span></label><output class="lr-out"></output></div>
      ${hasB1(o.kind) ? `<div class="row"><label>${b1Name(o.kind)} <input type="range" class="b1" min="0" max="0.999" step="0.001"></label><output class="b1-out"></output></div>` : ''}
      ${hasB2(o.kind) ? `<div class="row"><label>β₂ <input type="range" class="b2" min="0" max="0.9999" step="0.0001"></label><output class="b2-out"></output></div>` : ''}
      <div class="msg" id="opt-msg-${i}"></div>`;
    box.appendChild(div);
    const lr = div.querySelector('.lr'); lr.value = Math.log10(o.lr);
    div.querySelector('.lr-out').textContent = fmt(o.lr);
    lr.oninput = () => { const l = parseOpts(); l[i].lr = +Math.pow(10, +lr.value).toPrecision(3); div.querySelector('.lr-out').textContent = fmt(l[i].lr); writeOpts(l); runRaceSoon(); };
    for (const [cls, def] of [['b1', b1Default(o.kind)], ['b2', b2Default(o.kind)]]) {
      const el = div.querySelector('.' + cls); if (!el) continue;
      el.value = o[cls] ?? def; div.querySelector(`.${cls}-out`).textContent = fmt(+el.value);
      el.oninput = () => { const l = parseOpts(); l[i][cls] = +el.value; div.querySelector(`.${cls}-out`).textContent = fmt(+el.value); writeOpts(l); runRaceSoon(); };
    }
    div.querySelector('.rm').onclick = () => { const l = parseOpts(); l.splice(i, 1); writeOpts(l); buildOptRows(); runRace(); };
  });
}
$('add-kind').innerHTML = KINDS.map(k => `<option>${k}</option>`).join('');
$('add').onclick = () => { const l = parseOpts(); if (l.length >= 8) { $('optimizers-err').textContent = 'At most 8 optimizers.'; return; } const k = $('add-kind').value; l.push({ kind: k, lr: DEFAULT_LR[k] }); writeOpts(l); buildOptRows(); runRace(); };

function surfaceQuery() {
  const q = new URLSearchParams({ surface: S.surface, kappa: S.kappa, res: '120' });
  if (S.surface === 'custom') q.set('expr', S.expr);
  return q;
}
function clearErrors(ids) { for (const id of ids) $(id).textContent = ''; }
function showError(e, fallback) {
  const map = { expr: 'expr-err', kappa: 'kappa-err', optimizers: 'optimizers-err', f: 'line-f-err', lr: 'line-lr-err', hidden: 'p-hidden-err', min: 'f-min-err' };
  const m = /^(lr|b1|b2)(\d+)$/.exec(e.field || '');
  const target = m ? $('opt-msg-' + m[2]) : $(map[e.field] || fallback);
  target.textContent = e.message; target.className = target.className.replace(/\bwarn\b/, '') + (m ? ' err' : '');
}

const fetchSurface = latest(q => api('/api/surface?' + q));
async function loadSurface() {
  clearErrors(['expr-err', 'kappa-err']);
  $('kappa-row').hidden = S.surface !== 'quadratic';
  $('expr-row').hidden = S.surface !== 'custom';
  let s;
  try { s = await fetchSurface(surfaceQuery()); } catch (e) { showError(e, 'expr-err'); return false; }
  if (!s) return false;
  race.surface = s;
  $('surface-name').textContent = s.expression;
  drawBackground();
  return true;
}
function drawBackground() {
  const s = race.surface, g = s.grid;
  let lo = Infinity, hi = -Infinity;
  for (const v of g) if (v != null) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  const eps = (hi - lo) * 1e-4 + 1e-12, T = v => Math.log(v - lo + eps), tl = T(lo), th = T(hi);
  const t = g.map(v => v == null ? NaN : (T(v) - tl) / (th - tl));
  paintGrid(mapCtx, t, s.columns, s.rows, x => ramp(x));
  mapCtx.strokeStyle = 'rgba(255,255,255,0.55)'; mapCtx.lineWidth = 1;
  const sx = map.width / (s.columns - 1), sy = map.height / (s.rows - 1);
  for (let k = 1; k < 16; k++) {
    const seg = isoSegments(t, s.columns, s.rows, k / 16);
    mapCtx.beginPath();
    for (let i = 0; i < seg.length; i += 2) { mapCtx.moveTo(seg[i][0] * sx, map.height - seg[i][1] * sy); mapCtx.lineTo(seg[i + 1][0] * sx, map.height - seg[i + 1][1] * sy); }
    mapCtx.stroke();
  }
  if (s.minimum) { const [px, py] = toPx(s.minimum[0], s.minimum[1]); mapCtx.fillStyle = '#fff'; mapCtx.font = 'bold 16px sans-serif'; mapCtx.fillText('★', px - 6, py + 6); }
  // axis labels
  mapCtx.fillStyle = 'rgba(255,255,255,0.9)'; mapCtx.font = '12px sans-serif';
  const b = s.bounds;
  mapCtx.fillText(`${s.variables[0]} ∈ [${fmt(b[0])}, ${fmt(b[1])}]`, 6, map.height - 6);
  mapCtx.save(); mapCtx.translate(14, map.height - 130); mapCtx.rotate(-Math.PI / 2); mapCtx.fillText(`${s.variables[1]} ∈ [${fmt(b[2])}, ${fmt(b[3])}]`, 0, 0); mapCtx.restore();
  background = mapCtx.getImageData(0, 0, map.width, map.height);
}
function toPx(x, y) { const b = race.surface.bounds; return [(x - b[0]) / (b[1] - b[0]) * map.width, map.height - (y - b[2]) / (b[3] - b[2]) * map.height]; }
function fromPx(px, py) { const b = race.surface.bounds; return [b[0] + px / map.width * (b[1] - b[0]), b[2] + (map.height - py) / map.height * (b[3] - b[2])]; }

function drawPaths() {
  if (!background) return;
  mapCtx.putImageData(background, 0, 0);
  const k = race.step;
  race.paths.forEach((p, i) => {
    const n = Math.min(p.x.length - 1, k);
    mapCtx.strokeStyle = COLORS[i % COLORS.length]; mapCtx.fillStyle = mapCtx.strokeStyle; mapCtx.lineWidth = 2;
    mapCtx.beginPath();
    for (let j = 0; j <= n; j++) { const [px, py] = toPx(p.x[j], p.y[j]); j ? mapCtx.lineTo(px, py) : mapCtx.moveTo(px, py); }
    mapCtx.stroke();
    for (let j = 0; j <= n && j < 400; j++) { const [px, py] = toPx(p.x[j], p.y[j]); mapCtx.fillRect(px - 1.5, py - 1.5, 3, 3); }
    const [ex, ey] = toPx(p.x[n], p.y[n]);
    mapCtx.beginPath(); mapCtx.arc(ex, ey, 5, 0, 7); mapCtx.fill(); mapCtx.strokeStyle = '#fff'; mapCtx.lineWidth = 1.5; mapCtx.stroke();
  });
  const start = currentStart(); const [sx, sy] = toPx(start[0], start[1]);
  mapCtx.strokeStyle = '#fff'; mapCtx.lineWidth = 2; mapCtx.beginPath(); mapCtx.arc(sx, sy, 7, 0, 7); mapCtx.stroke();
  $('scrub').value = k; $('scrub-out').textContent = k;
  map.dataset.step = k;
}
function currentStart() { const p = S.start.split(',').map(Number); return p.length === 2 && p.every(isFinite) && S.start ? p : race.surface.start; }

const fetchRace = latest(body => api('/api/race', body));
async function runRace() {
  if (!race.surface) return;
  clearErrors(['optimizers-err']);
  const opts = parseOpts();
  const body = { surface: S.surface, kappa: S.kappa, expr: S.expr, start: currentStart(), steps: +S.steps || 200, plateau: S.plateau === '1',
    optimizers: opts.map(o => ({ kind: o.kind, lr: o.lr, ...(o.b1 != null ? { b1: o.b1 } : {}), ...(o.b2 != null ? { b2: o.b2 } : {}) })) };
  let r;
  try { r = await fetchRace(body); } catch (e) { showError(e, 'optimizers-err'); return; }
  if (!r) return;
  race.paths = r.paths;
  const longest = Math.max(0, ...r.paths.map(p => p.x.length - 1));
  $('scrub').max = longest;
  stopAnimation();
  race.step = longest;
  drawPaths();
  $('start-out').textContent = currentStart().map(fmt).join(', ');
  $('race-legend').innerHTML = r.paths.map((p, i) => `<span data-kind="${p.kind}" data-outcome="${p.outcome}" data-end="${p.x[p.x.length - 1]},${p.y[p.y.length - 1]}"><i style="background:${COLORS[i % COLORS.length]}"></i>${p.label}: ${p.message}</span>`).join('');
  r.paths.forEach((p, i) => {
    const el = $('opt-msg-' + i); if (!el) return;
    el.className = 'msg ' + (p.outcome === 'diverged' ? 'err' : '');
    el.textContent = p.outcome === 'diverged' ? p.message : `${p.message}; final loss ${fmt(p.loss[p.loss.length - 1])}` + (p.plateauStep ? `; flat from step ${p.plateauStep}` : '');
  });
  drawRaceChart(longest);
  drawQuadratic(r.paths);
  map.dataset.runs = (+(map.dataset.runs || 0) + 1) + '';
}
const runRaceSoon = debounce(runRace, 25);

function drawRaceChart(longest) {
  const paths = race.paths, key = paths.map(p => p.label).join('|');
  const positive = paths.every(p => p.loss.every(v => v == null || v > 0));
  const fullKey = key + positive;
  if (!race.chart || race.chartKey !== fullKey) {
    race.chart?.destroy();
    race.chart = lineChart($('race-chart'), 440, 380, paths.map((p, i) => ({ label: p.kind, stroke: COLORS[i % COLORS.length] })), { logY: positive });
    race.chartKey = fullKey;
  }
  const xs = Array.from({ length: longest + 1 }, (_, i) => i);
  race.chart.setData([xs, ...paths.map(p => xs.map(i => i < p.loss.length ? (positive ? floorLog(p.loss[i]) : p.loss[i]) : null))]);
}

function drawQuadratic(paths) {
  const q = race.surface.quadratic, box = $('quad');
  for (const b of document.querySelectorAll('.opt .bound')) b.hidden = true;
  if (!q) { box.innerHTML = '<span class="small">Not a quadratic: the Hessian changes from place to place, so there is no single stability bound.</span>'; return; }
  const [l1, l2] = q.eigenvalues, v = q.eigenvectors;
  let html = `<b>Hessian</b> [[${fmt(q.hessian[0][0])}, ${fmt(q.hessian[0][1])}], [${fmt(q.hessian[1][0])}, ${fmt(q.hessian[1][1])}]]:
    eigenvalues λ = ${fmt(l1)} along (${fmt(v[0][0])}, ${fmt(v[0][1])}) and ${fmt(l2)} along (${fmt(v[1][0])}, ${fmt(v[1][1])})` +
    (q.condition != null ? `; condition number ${fmt(q.condition)}` : '') +
    `<br><b>Stability bound</b> for gradient descent: η &lt; 2/λ_max = <b id="bound">${fmt(q.stabilityBound)}</b>` +
    (q.optimalRate ? `; the best η = 2/(λ_min + λ_max) = ${fmt(q.optimalRate)}` : '') +
    `<table><tr><th>optimizer</th><th>rate along λ=${fmt(l1)}</th><th>along λ=${fmt(l2)}</th></tr>`;
  paths.forEach((p, i) => {
    html += `<tr><th style="color:${COLORS[i % COLORS.length]}">${p.label}</th>` + (p.rates ? p.rates.map(r => `<td class="${r >= 1 ? 'err' : ''}">${fmt(r)}</td>`).join('') : '<td colspan="2" class="small">adaptive: no fixed rate</td>') + '</tr>';
  });
  box.innerHTML = html + '</table><div class="small">A rate is the factor by which one step multiplies the distance along that eigendirection (|1 − ηλ| for GD); ≥ 1 does not converge.</div>';
  // Mark 2/λ_max on the learning-rate sliders of GD and momentum (range 10⁻⁴ … 10¹).
  if (q.stabilityBound != null) {
    document.querySelectorAll('.opt').forEach((div, i) => {
      const kind = parseOpts()[i]?.kind; if (kind !== 'gd' && kind !== 'momentum' && kind !== 'nesterov') return;
      const b = div.querySelector('.bound'), slider = div.querySelector('.lr');
      const t = (Math.log10(q.stabilityBound) + 4) / 5; if (t < 0 || t > 1) return;
      b.hidden = false; b.style.left = (8 + t * (slider.offsetWidth - 16)) + 'px'; b.title = `2/λ_max = ${fmt(q.stabilityBound)}`;
    });
  }
}

function stopAnimation() { cancelAnimationFrame(race.timer); race.timer = 0; map.dataset.animating = '0'; }
$('animate').onclick = () => {
  stopAnimation(); race.step = 0; map.dataset.animating = '1';
  const longest = +$('scrub').max, per = Math.max(1, Math.ceil(longest / 150));
  const tick = () => { race.step = Math.min(longest, race.step + per); drawPaths(); if (race.step < longest) race.timer = requestAnimationFrame(tick); else stopAnimation(); };
  race.timer = requestAnimationFrame(tick);
};
$('stop').onclick = () => stopAnimation();
$('scrub').oninput = () => { stopAnimation(); race.step = +$('scrub').value; drawPaths(); };
map.onclick = ev => {
  if (!race.surface) return;
  const r = map.getBoundingClientRect();
  const [x, y] = fromPx((ev.clientX - r.left) * map.width / r.width, (ev.clientY - r.top) * map.height / r.height);
  set('start', `${+x.toPrecision(4)},${+y.toPrecision(4)}`);
  map.dataset.start = S.start;
  runRace();
};
$('surface').onchange = async () => { set('surface', $('surface').value); set('start', ''); if (await loadSurface()) runRace(); };
$('kappa').oninput = debounce(async () => { const k = +Math.pow(10, +$('kappa').value).toPrecision(3); $('kappa-out').textContent = fmt(k); set('kappa', k); if (await loadSurface()) runRace(); }, 25);
$('expr').oninput = debounce(async () => { set('expr', $('expr').value); set('start', ''); if (await loadSurface()) runRace(); }, 200);
$('steps').onchange = () => { set('steps', Math.max(1, Math.min(5000, +$('steps').value || 200))); runRace(); };
$('plateau').onchange = () => { set('plateau', $('plateau').checked ? '1' : '0'); runRace(); };

// ---------- 2. learning rate on a line ----------
const lineCanvas = $('line-canvas'), lineCtx = lineCanvas.getContext('2d');
const fetchLine = latest(q => api('/api/line?' + q));
async function runLine() {
  clearErrors(['line-f-err', 'line-lr-err']);
  let r;
  try { r = await fetchLine(new URLSearchParams({ f: S.f, lr: S.lr, w0: S.w0, steps: S.lsteps })); }
  catch (e) { showError(e, 'line-f-err'); $('line-verdict').textContent = ''; return; }
  if (!r) return;
  const v = $('line-verdict'); v.className = 'verdict ' + r.verdict; v.textContent = r.message; v.dataset.verdict = r.verdict;
  if (r.verdict === 'Diverging') $('line-lr-err').textContent = 'η too large: the descent diverges';
  drawLine(r);
}
function drawLine(r) {
  const W = lineCanvas.width, H = lineCanvas.height, pad = 44, ctx = lineCtx;
  ctx.clearRect(0, 0, W, H);
  const cw = r.curve.w, cl = r.curve.loss;
  let x0 = Math.min(...cw), x1 = Math.max(...cw);
  const finite = cl.filter(v => v != null);
  let y0 = Math.min(...finite), y1 = Math.max(...finite);
  if (y1 - y0 < 1e-12) { y0 -= 1; y1 += 1; }
  const X = w => pad + (w - x0) / (x1 - x0) * (W - 2 * pad), Y = l => H - pad - (l - y0) / (y1 - y0) * (H - 2 * pad);
  ctx.strokeStyle = '#999'; ctx.lineWidth = 1; ctx.beginPath(); ctx.moveTo(pad, H - pad); ctx.lineTo(W - pad, H - pad); ctx.moveTo(pad, pad); ctx.lineTo(pad, H - pad); ctx.stroke();
  ctx.fillStyle = '#444'; ctx.font = '12px sans-serif';
  ctx.fillText(fmt(x0), pad, H - pad + 16); ctx.fillText(fmt(x1), W - pad - 30, H - pad + 16); ctx.fillText('w', W / 2, H - 8);
  ctx.fillText(fmt(y1), 4, pad + 4); ctx.fillText(fmt(y0), 4, H - pad); ctx.fillText('L(w)', 4, H / 2);
  ctx.strokeStyle = '#1f77b4'; ctx.lineWidth = 2; ctx.beginPath();
  let pen = false;
  cw.forEach((w, i) => { if (cl[i] == null) { pen = false; return; } pen ? ctx.lineTo(X(w), Y(cl[i])) : ctx.moveTo(X(w), Y(cl[i])); pen = true; });
  ctx.stroke();
  const n = r.w.length, inside = i => r.w[i] >= x0 && r.w[i] <= x1 && r.loss[i] != null;
  for (let i = 0; i + 1 < n; i++) {
    if (!inside(i) || !inside(i + 1)) continue;
    const ax = X(r.w[i]), ay = Y(r.loss[i]), bx = X(r.w[i + 1]), by = Y(r.loss[i + 1]);
    ctx.strokeStyle = `rgba(214,39,40,${0.35 + 0.65 * (1 - i / n)})`; ctx.fillStyle = ctx.strokeStyle; ctx.lineWidth = 1.5;
    ctx.beginPath(); ctx.moveTo(ax, ay); ctx.lineTo(bx, by); ctx.stroke();
    const a = Math.atan2(by - ay, bx - ax); ctx.beginPath(); ctx.moveTo(bx, by);
    ctx.lineTo(bx - 9 * Math.cos(a - 0.4), by - 9 * Math.sin(a - 0.4)); ctx.lineTo(bx - 9 * Math.cos(a + 0.4), by - 9 * Math.sin(a + 0.4)); ctx.fill();
  }
  for (let i = 0; i < n; i++) if (inside(i)) { ctx.fillStyle = i === 0 ? '#000' : '#d62728'; ctx.beginPath(); ctx.arc(X(r.w[i]), Y(r.loss[i]), i === 0 ? 5 : 3.5, 0, 7); ctx.fill(); }
  ctx.fillStyle = '#000'; ctx.fillText(`w₀ = ${fmt(r.w[0])}, η = ${fmt(+S.lr)}, ${n - 1} steps; last w = ${fmt(r.w[n - 1])}`, pad + 8, pad - 12);
  lineCanvas.dataset.points = n; lineCanvas.dataset.last = r.w[n - 1];
}
const runLineSoon = debounce(runLine, 20);
$('line-f').oninput = debounce(() => { set('f', $('line-f').value); runLine(); }, 200);
$('line-lr').oninput = () => { const v = +Math.pow(10, +$('line-lr').value).toPrecision(3); $('line-lr-out').textContent = fmt(v); set('lr', v); runLineSoon(); };
$('line-w0').onchange = () => { set('w0', $('line-w0').value || '2'); runLine(); };
$('line-steps').onchange = () => { set('lsteps', Math.max(1, Math.min(500, +$('line-steps').value || 12))); runLine(); };
for (const b of document.querySelectorAll('.preset-lr')) b.onclick = () => { set('lr', b.dataset.lr); $('line-lr').value = Math.log10(+b.dataset.lr); $('line-lr-out').textContent = b.dataset.lr; runLine(); };

// ---------- 3. the playground ----------
const play = { id: null, running: false, chart: null, train: [], test: [], points: null, bounds: null, frames: [] };
const pMap = $('p-map'), pCtx = pMap.getContext('2d');
const BLUE_ORANGE = [[33, 102, 172], [146, 197, 222], [247, 247, 247], [244, 165, 130], [214, 96, 77]];
function playBody() {
  return { dataset: S.ds, noise: +S.noise, test: +S.test, hidden: S.hidden, activation: S.act, optimizer: S.popt, lr: +S.plr, batch: +S.batch, l2: +S.l2, seed: +S.seed, res: 50 };
}
async function resetPlay() {
  pause();
  clearErrors(['p-err', 'p-hidden-err']);
  let r;
  try { r = await api('/api/play/new', playBody()); } catch (e) { showError(e, 'p-err'); return; }
  play.id = r.id; play.bounds = r.bounds; play.points = { train: r.train, test: r.test };
  play.train = [...r.trainLoss]; play.test = [...r.testLoss];
  if (!play.chart) play.chart = lineChart($('p-chart'), 440, 400, [{ label: 'train', stroke: '#1f77b4' }, { label: 'test', stroke: '#ff7f0e', dash: [6, 4] }], { xLabel: 'epoch', logY: true });
  showPlay(r);
}
function showPlay(r) {
  const res = r.resolution;
  // Lightened toward white so the points, in the full colours, stand out on their own side.
  paintGrid(pCtx, r.boundary, res, res, p => ramp(p, BLUE_ORANGE).map(c => c + 0.45 * (255 - c)));
  const b = play.bounds, X = x => (x - b[0]) / (b[1] - b[0]) * pMap.width, Y = y => pMap.height - (y - b[2]) / (b[3] - b[2]) * pMap.height;
  for (const [set, hollow] of [[play.points.train, false], [play.points.test, true]]) for (const [x, y, c] of set) {
    pCtx.beginPath(); pCtx.arc(X(x), Y(y), 3.6, 0, 7);
    const col = c ? '#b2182b' : '#2166ac';
    if (hollow) { pCtx.fillStyle = '#fff'; pCtx.fill(); pCtx.strokeStyle = col; pCtx.lineWidth = 2; pCtx.stroke(); }
    else { pCtx.fillStyle = col; pCtx.fill(); pCtx.strokeStyle = '#fff'; pCtx.lineWidth = 0.8; pCtx.stroke(); }
  }
  const xs = play.train.map((_, i) => i);
  play.chart.setData([xs, play.train.map(floorLog), play.test.map(floorLog)]);
  const now = performance.now(); play.frames.push(now); while (play.frames.length && now - play.frames[0] > 2000) play.frames.shift();
  const fps = play.frames.length > 1 ? (play.frames.length - 1) / ((now - play.frames[0]) / 1000) : 0;
  $('p-status').innerHTML = `epoch <b id="p-epoch">${r.epoch}</b> · train loss ${fmt(play.train.at(-1))} · test loss ${fmt(play.test.at(-1))}<br>` +
    `accuracy: train ${(100 * r.trainAccuracy).toFixed(1)}%, test <b id="p-acc">${(100 * r.testAccuracy).toFixed(1)}</b>%` +
    (play.running ? ` · ${fps.toFixed(0)} frames/s` : '') + (r.diverged ? '<br><span class="err">The loss blew up: lower the learning rate and press Reset.</span>' : '');
  pMap.dataset.epoch = r.epoch; pMap.dataset.testAccuracy = r.testAccuracy; pMap.dataset.fps = fps.toFixed(1);
  if (r.diverged) pause();
}
async function stepPlay(epochs) {
  if (!play.id) await resetPlay();
  let r;
  try { r = await api('/api/play/step', { id: play.id, epochs, res: 50 }); } catch (e) { showError(e, 'p-err'); pause(); return; }
  play.train.push(...r.trainLoss); play.test.push(...r.testLoss);
  showPlay(r);
}
// Each frame: one epoch and a fresh boundary; the next request leaves as soon as the last one is drawn.
async function loop() { while (play.running) await stepPlay(1); }
function pause() { play.running = false; }
$('p-play').onclick = () => { if (!play.running) { play.running = true; play.frames = []; loop(); } };
$('p-pause').onclick = pause;
$('p-step').onclick = () => { pause(); stepPlay(1); };
$('p-reset').onclick = resetPlay;
const playInputs = { 'p-ds': 'ds', 'p-seed': 'seed', 'p-noise': 'noise', 'p-test': 'test', 'p-hidden': 'hidden', 'p-act': 'act', 'p-opt': 'popt', 'p-batch': 'batch', 'p-l2': 'l2' };
$('p-opt').innerHTML = KINDS.map(k => `<option>${k}</option>`).join('');
for (const [id, key] of Object.entries(playInputs)) {
  $(id).onchange = () => { set(key, $(id).value); for (const o of ['noise', 'test']) $(`p-${o}-out`).textContent = S[o]; resetPlay(); };
}
$('p-lr').oninput = () => { const v = +Math.pow(10, +$('p-lr').value).toPrecision(3); $('p-lr-out').textContent = fmt(v); set('plr', v); };
$('p-lr').onchange = resetPlay;

// ---------- 4. the learning-rate finder ----------
let finder = null, finderResult = null;
async function runFinder() {
  clearErrors(['f-min-err']);
  $('f-result').textContent = 'Running…';
  let r;
  try { r = await api('/api/lrfind', { ...playBody(), min: S.fmin, max: S.fmax }); } catch (e) { showError(e, 'f-min-err'); $('f-result').textContent = ''; return; }
  finderResult = r;
  finder?.destroy();
  const shade = u => {
    const [lo, hi] = r.suggested, x0 = u.valToPos(lo, 'x', true), x1 = u.valToPos(hi, 'x', true);
    u.ctx.save(); u.ctx.fillStyle = 'rgba(46,125,50,0.15)'; u.ctx.fillRect(x0, u.bbox.top, Math.max(2, x1 - x0), u.bbox.height); u.ctx.restore();
  };
  finder = lineChart($('f-chart'), 640, 420, [{ label: 'loss', stroke: 'rgba(31,119,180,0.45)', width: 1 }, { label: 'smoothed', stroke: '#d62728' }],
    { logX: true, xLabel: 'learning rate', hooks: { drawClear: [shade] } });
  finder.setData([r.lr, r.loss.map(floorLog), r.smoothed.map(floorLog)]);
  const el = $('f-result'); el.dataset.low = r.suggested[0]; el.dataset.high = r.suggested[1];
  el.innerHTML = `Suggested learning rates: ${fmt(r.suggested[0])} to ${fmt(r.suggested[1])} (steepest fall at ${fmt(r.steepest)}; lowest loss at ${fmt(r.lowest)}).` +
    `<div class="small">This is ${r.caveat}.${r.stoppedEarly ? ' The sweep stopped where the loss blew up.' : ''}</div>`;
}
$('f-run').onclick = runFinder;
$('f-use').onclick = () => { if (!finderResult) return; set('plr', +finderResult.steepest.toPrecision(3)); syncInputs(); showTab('play'); resetPlay(); };
$('f-min').onchange = () => set('fmin', $('f-min').value);
$('f-max').onchange = () => set('fmax', $('f-max').value);

// ---------- start ----------
function syncInputs() {
  $('surface').value = S.surface; $('kappa').value = Math.log10(+S.kappa || 10); $('kappa-out').textContent = fmt(+S.kappa);
  $('expr').value = S.expr; $('steps').value = S.steps; $('plateau').checked = S.plateau === '1';
  $('line-f').value = S.f; $('line-lr').value = Math.log10(+S.lr || 0.3); $('line-lr-out').textContent = fmt(+S.lr); $('line-w0').value = S.w0; $('line-steps').value = S.lsteps;
  for (const [id, key] of Object.entries(playInputs)) $(id).value = S[key];
  $('p-lr').value = Math.log10(+S.plr || 0.03); $('p-lr-out').textContent = fmt(+S.plr);
  $('p-noise-out').textContent = S.noise; $('p-test-out').textContent = S.test;
  $('f-min').value = S.fmin; $('f-max').value = S.fmax;
}
(async () => {
  syncInputs(); applyFocus(); buildOptRows();
  showTab(S.tab);
  if (await loadSurface()) await runRace();
  document.body.dataset.ready = '1';
})();
