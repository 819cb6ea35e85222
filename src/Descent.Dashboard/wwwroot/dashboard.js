// The Descent live page: charts drawn by uPlot (embedded from npm at build time), fed by Server-Sent Events.
'use strict';
(() => {
  const token = document.querySelector('meta[name="descent-token"]').content;
  const mode = document.querySelector('meta[name="descent-mode"]').content;
  const palette = ['#1e88e5', '#e53935', '#43a047', '#fb8c00', '#8e24aa', '#00897b', '#d81b60', '#6d4c41', '#3949ab', '#c0ca33'];
  const runs = new Map();      // key -> { info, series: Map('step:loss' -> { x: [], y: [] }), color }
  const selected = new Set();  // the runs drawn
  const charts = new Map();    // panel id -> { el, chartEl, u, signature }
  let focus = null, touched = false, stopSent = false, stopRequested = false, ended = false;
  let sortKey = 'run', sortDir = 1, xZoom = null, dirty = true, tableDirty = true, lastDraw = 0, drawEvery = 250;
  const $ = id => document.getElementById(id);
  const CLIENT_POINTS = 20000; // a series longer than this is thinned (min/max per bucket) to half of it

  // ---- data ---------------------------------------------------------------------------------------------------------
  function run(key) {
    let r = runs.get(key);
    if (!r) {
      r = { info: { key, name: key, status: 'running', settings: {} }, series: new Map(), color: palette[runs.size % palette.length] };
      runs.set(key, r);
    }
    return r;
  }

  function apply(msg) {
    if (msg.snapshot) for (const r of runs.values()) r.series.clear();
    for (const key of msg.removed || []) { runs.delete(key); selected.delete(key); }
    for (const info of msg.runs) {
      const isNew = !runs.has(info.key);
      run(info.key).info = info;
      // A live run is drawn at once; in watch mode the newest run is, until the user ticks runs themselves.
      if (isNew && (info.live || !touched)) {
        if (!info.live && !touched) selected.clear();
        selected.add(info.key);
      }
    }
    for (const [key, series] of Object.entries(msg.series)) {
      const r = run(key);
      for (const [id, [xs, ys]] of Object.entries(series)) {
        let s = r.series.get(id);
        if (!s) r.series.set(id, s = { x: [], y: [] });
        for (let i = 0; i < xs.length; i++) { s.x.push(xs[i]); s.y.push(ys[i] === null ? NaN : ys[i]); }
        if (s.x.length > CLIENT_POINTS) r.series.set(id, thin(s, CLIENT_POINTS / 2));
      }
    }
    stopRequested = msg.stopRequested;
    if (!focus || !runs.has(focus)) focus = [...selected].pop() || [...runs.keys()].pop() || null;
    tableDirty = true;
    dirty = true;
  }

  // Min and max per bucket, in order, and the last point: spikes survive, the size stays bounded.
  function thin(s, max) {
    const n = s.x.length, buckets = Math.max(1, max >> 1), width = n / buckets, out = { x: [], y: [] };
    for (let b = 0; b < buckets; b++) {
      const lo = Math.floor(b * width), hi = Math.min(n, Math.floor((b + 1) * width));
      let mn = -1, mx = -1;
      for (let i = lo; i < hi; i++) {
        if (!isFinite(s.y[i])) continue;
        if (mn < 0 || s.y[i] < s.y[mn]) mn = i;
        if (mx < 0 || s.y[i] > s.y[mx]) mx = i;
      }
      if (mn < 0) { if (hi > lo) { out.x.push(s.x[lo]); out.y.push(NaN); } continue; }
      for (const i of mn === mx ? [mn] : [Math.min(mn, mx), Math.max(mn, mx)]) { out.x.push(s.x[i]); out.y.push(s.y[i]); }
    }
    if (out.x[out.x.length - 1] !== s.x[n - 1]) { out.x.push(s.x[n - 1]); out.y.push(s.y[n - 1]); }
    return out;
  }

  // The value a run is ranked by: validation loss per epoch when there is one, else train loss per epoch, else the
  // per-step loss or value (minimize).
  function lossSeries(r) {
    for (const id of ['epoch:val_loss', 'epoch:loss', 'epoch:score', 'step:loss', 'step:value']) {
      const s = r.series.get(id);
      if (s && s.y.some(isFinite)) return { id, s };
    }
    return null;
  }
  function finalOf(r) { const l = lossSeries(r); if (!l) return NaN; for (let i = l.s.y.length - 1; i >= 0; i--) if (isFinite(l.s.y[i])) return l.s.y[i]; return NaN; }
  function bestOf(r) { const l = lossSeries(r); if (!l) return NaN; let b = Infinity; for (const v of l.s.y) if (v < b) b = v; return isFinite(b) ? b : NaN; }

  function fmt(v) {
    if (v === null || v === undefined || Number.isNaN(v)) return '—';
    if (!isFinite(v)) return String(v);
    const a = Math.abs(v);
    return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2).replace('e+', 'e') : String(+v.toPrecision(4));
  }
  function duration(ms) {
    const s = Math.max(0, Math.round(ms / 1000));
    return s < 60 ? s + ' s' : s < 3600 ? Math.floor(s / 60) + ' min ' + (s % 60) + ' s' : Math.floor(s / 3600) + ' h ' + Math.floor(s % 3600 / 60) + ' min';
  }
  function show(v) { return v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v); }

  // ---- runs table ---------------------------------------------------------------------------------------------------
  const rows = new Map(); // key -> { tr, box }
  let columnsSignature = '';

  function settingColumns() {
    const list = [...runs.values()];
    const keys = [];
    for (const r of list) for (const k of Object.keys(r.info.settings || {})) if (k !== 'tags' && !keys.includes(k)) keys.push(k);
    return keys.map(k => {
      const values = new Set(list.map(r => show((r.info.settings || {})[k])));
      return { key: k, differs: list.length > 1 && values.size > 1, empty: values.size === 1 && values.has('') };
    }).filter(c => !c.empty && (c.differs || $('all-settings').checked || list.length === 1));
  }

  function cellsOf(r, columns) {
    const i = r.info;
    const tags = Array.isArray((i.settings || {}).tags) ? i.settings.tags : [];
    const cells = [
      { html: true, node: () => {
        const td = document.createElement('td');
        const sw = document.createElement('span'); sw.className = 'swatch'; sw.style.background = r.color;
        td.append(sw, i.name);
        for (const t of tags) { const s = document.createElement('span'); s.className = 'tag'; s.textContent = t; td.append(s); }
        td.title = i.name;
        return td;
      }, text: i.name + '|' + tags.join(',') + '|' + r.color },
      { text: i.status },
      { text: progressText(i, true) },
      { text: fmt(finalOf(r)), num: true },
      { text: fmt(bestOf(r)), num: true },
    ];
    for (const c of columns) cells.push({ text: show((i.settings || {})[c.key]), differs: c.differs });
    return cells;
  }

  function sortValue(r, key) {
    if (key === 'run') return r.info.startedAt || 0;
    if (key === 'name') return r.info.name;
    if (key === 'status') return r.info.status;
    if (key === 'progress') return r.info.step || 0;
    if (key === 'final') return finalOf(r);
    if (key === 'best') return bestOf(r);
    const v = (r.info.settings || {})[key.slice(4)];
    return typeof v === 'number' ? v : show(v);
  }

  function renderTable() {
    const columns = settingColumns();
    const head = [['name', 'run'], ['status', 'status'], ['progress', 'progress'], ['final', 'final loss'], ['best', 'best loss'], ...columns.map(c => ['set:' + c.key, c.key, c.differs])];
    const signature = JSON.stringify(head) + sortKey + sortDir;
    const table = $('runs');
    if (signature !== columnsSignature) {
      columnsSignature = signature;
      const tr = document.createElement('tr');
      tr.append(document.createElement('th'));
      for (const [key, label, differs] of head) {
        const th = document.createElement('th');
        th.textContent = label;
        th.dataset.key = key;
        if (differs) th.className = 'differs';
        if (key === sortKey) th.dataset.sort = String(sortDir);
        th.title = key === 'final' || key === 'best' ? 'validation loss per epoch (train loss when there is no validation)' : 'sort by ' + label;
        th.onclick = () => { if (sortKey === key) sortDir = -sortDir; else { sortKey = key; sortDir = 1; } tableDirty = true; renderTable(); };
        tr.append(th);
      }
      table.tHead.replaceChildren(tr);
      for (const row of rows.values()) row.signature = '';
    }
    const ordered = [...runs.values()].sort((a, b) => {
      const x = sortValue(a, sortKey), y = sortValue(b, sortKey);
      if (typeof x === 'number' && typeof y === 'number') {
        if (Number.isNaN(x) !== Number.isNaN(y)) return Number.isNaN(x) ? 1 : -1; // runs without a value last
        return ((x || 0) - (y || 0)) * sortDir || 0;
      }
      return String(x).localeCompare(String(y)) * sortDir;
    });
    for (const key of [...rows.keys()]) if (!runs.has(key)) { rows.get(key).tr.remove(); rows.delete(key); }
    const body = table.tBodies[0];
    ordered.forEach((r, index) => {
      let row = rows.get(r.info.key);
      if (!row) {
        // The checkbox lives as long as its run: updates change the other cells, never the box being clicked.
        const tr = document.createElement('tr');
        tr.dataset.key = r.info.key;
        const td = document.createElement('td');
        const box = document.createElement('input');
        box.type = 'checkbox';
        box.title = 'draw this run';
        box.addEventListener('change', () => {
          touched = true;
          if (box.checked) selected.add(r.info.key); else selected.delete(r.info.key);
          focus = r.info.key;
          dirty = true;
          renderSide();
        });
        td.append(box);
        tr.append(td);
        tr.addEventListener('click', e => { if (e.target !== box) { focus = r.info.key; renderSide(); } });
        row = { tr, box, signature: '' };
        rows.set(r.info.key, row);
      }
      row.box.checked = selected.has(r.info.key);
      row.tr.classList.toggle('focus', focus === r.info.key);
      const cells = cellsOf(r, columns);
      const signature = JSON.stringify(cells.map(c => [c.text, c.differs]));
      if (signature !== row.signature) {
        row.signature = signature;
        while (row.tr.cells.length > 1) row.tr.lastChild.remove();
        for (const c of cells) {
          const td = c.node ? c.node() : document.createElement('td');
          if (!c.node) { td.textContent = c.text; td.title = c.text; }
          if (c.num) td.className = 'num';
          if (c.differs) td.classList.add('differs');
          row.tr.append(td);
        }
      }
      if (body.children[index] !== row.tr) body.insertBefore(row.tr, body.children[index] || null);
    });
    tableDirty = false;
  }

  // ---- progress and state -------------------------------------------------------------------------------------------
  function fraction(i) {
    if (!i.totalEpochs || !i.epoch) return null;
    const inEpoch = i.batchesPerEpoch ? Math.min(1, i.batch / i.batchesPerEpoch) : (i.status === 'running' ? 0 : 1);
    return Math.min(1, (i.epoch - 1 + inEpoch) / i.totalEpochs);
  }

  function progressText(i, short) {
    const parts = [];
    if (i.epoch) parts.push(`epoch ${i.epoch}${i.totalEpochs ? ' of ' + i.totalEpochs : ''}`);
    if (short) return parts.join('');
    if (i.batch) parts.push(`batch ${i.batch}${i.batchesPerEpoch ? ' of ' + i.batchesPerEpoch : ''}`);
    if (i.step) parts.push(`step ${i.step}`);
    const now = i.endedAt || Date.now();
    if (i.startedAt) parts.push(duration(now - i.startedAt) + (i.endedAt ? ' in all' : ' so far'));
    const f = fraction(i);
    if (i.status === 'running' && f && f > 0.001 && i.startedAt) parts.push('about ' + duration((now - i.startedAt) * (1 - f) / f) + ' left');
    return parts.join(' · ');
  }

  function overall() {
    const live = [...runs.values()].filter(r => r.info.live);
    if (mode !== 'live' || live.length === 0) return mode === 'watch' ? 'watching' : 'waiting';
    if (live.some(r => r.info.status === 'stopping')) return 'stopping';
    if (live.some(r => r.info.status === 'running')) return stopRequested ? 'stopping' : 'running';
    const last = live[live.length - 1].info.status;
    return last === 'interrupted' ? 'stopped' : last;
  }

  function renderSide() {
    const f = focus && runs.get(focus);
    if (f) {
      const i = f.info;
      const parts = [`${i.name}: ${i.status}`, progressText(i, false)];
      const lr = f.series.get('step:learning_rate') || f.series.get('epoch:learning_rate');
      if (lr && lr.y.length) parts.push(`learning rate ${fmt(lr.y[lr.y.length - 1])}`);
      if (i.reason) parts.push(i.reason);
      $('progress').textContent = parts.filter(p => p).join(' · ');
      const fr = fraction(i);
      $('bar').style.width = fr === null ? (i.status === 'running' ? '0' : '100%') : (100 * fr).toFixed(1) + '%';
    }
    for (const [key, row] of rows) { row.box.checked = selected.has(key); row.tr.classList.toggle('focus', focus === key); }
    const state = overall();
    const badge = $('state');
    badge.dataset.state = state;
    badge.textContent = state;
    ended = ['finished', 'stopped', 'diverged', 'failed'].includes(state);
    const banner = $('banner');
    if (ended) {
      const r = [...runs.values()].filter(x => x.info.live).pop();
      banner.hidden = false;
      banner.dataset.state = state;
      banner.textContent = `Training ${state}${r && r.info.reason ? ': ' + r.info.reason : ''}. These are the final curves.`;
    } else banner.hidden = true;
    const stop = $('stop');
    const live = mode === 'live' && [...runs.values()].some(r => r.info.live);
    stop.style.visibility = live ? 'visible' : 'hidden';
    if (ended) { stop.disabled = true; stop.textContent = state === 'finished' ? 'Finished' : 'Stopped'; }
    else if (state === 'stopping' || stopSent) { stop.disabled = true; stop.textContent = 'Stopping…'; }
    else { stop.disabled = state !== 'running'; stop.textContent = 'Stop'; }
    document.title = `Descent — ${state}`;
  }

  // ---- charts -------------------------------------------------------------------------------------------------------
  const PANELS = [
    { id: 'loss', title: 'Loss', axis: 'loss', logable: true, wide: true },
    { id: 'accuracy', title: 'Accuracy', axis: 'accuracy' },
    { id: 'gradient_norm', title: 'Gradient norm (per epoch)', axis: 'gradient norm', logable: true },
    { id: 'learning_rate', title: 'Learning rate', axis: 'learning rate', stepped: true },
    { id: 'seconds', title: 'Epoch time', axis: 'seconds' },
  ];
  function panelOf(name) {
    if (name === 'loss' || name === 'val_loss') return 'loss';
    if (/accuracy/.test(name)) return 'accuracy';
    if (name === 'gradient_norm' || name === 'learning_rate' || name === 'seconds') return name;
    return 'metric:' + name;
  }
  function describe(id) {
    const [scope, name] = id.split(':');
    if (id === 'step:loss') return 'batch loss';
    if (id === 'epoch:loss') return 'train loss';
    if (id === 'epoch:val_loss') return 'validation loss';
    return name.replace(/_/g, ' ') + (scope === 'step' ? ' (step)' : '');
  }

  // TensorBoard's smoothing: an exponential moving average, debiased so the start is not pulled towards 0.
  function ema(ys, w) {
    const out = new Array(ys.length);
    let last = 0, n = 0;
    for (let i = 0; i < ys.length; i++) {
      const y = ys[i];
      if (!isFinite(y)) { out[i] = null; continue; }
      last = last * w + (1 - w) * y; n++;
      out[i] = last / (1 - Math.pow(w, n));
    }
    return out;
  }

  // The lines of every panel for the selected runs: [{ panel, label, color, width, dash, alpha, x, y, stepped }]
  function lines() {
    const out = [];
    const log = $('log').checked, batches = $('batches').checked, smooth = +$('smoothing').value;
    for (const key of selected) {
      const r = runs.get(key);
      if (!r) continue;
      for (const [id, s] of r.series) {
        const [scope, name] = id.split(':');
        const panel = panelOf(name);
        const def = PANELS.find(p => p.id === panel) || { id: panel, logable: false };
        if (id === 'step:loss' && !batches) continue;
        if (id === 'epoch:learning_rate' && r.series.has('step:learning_rate')) continue; // the per-step rate says it all
        let x = s.x, y = s.y.map(v => (isFinite(v) && (!(log && def.logable) || v > 0) ? v : null));
        const label = `${r.info.name} · ${describe(id)}`;
        const dash = name.startsWith('val_') ? [6, 4] : undefined;
        if (name === 'learning_rate') {
          // Logged when it changes: drawn as steps up to the run's current step.
          if (x.length && r.info.step > x[x.length - 1]) { x = [...x, r.info.step]; y = [...y, y[y.length - 1]]; }
          out.push({ panel, label, color: r.color, width: 1.5, x, y, stepped: true });
        } else if (scope === 'step' && smooth > 0 && y.length > 1) {
          out.push({ panel, label: label + ' (raw)', color: r.color, width: 1, alpha: 0.25, x, y });
          out.push({ panel, label: label + ` (smoothed ${smooth.toFixed(2)})`, color: r.color, width: 1.5, x, y: ema(y, smooth) });
        } else out.push({ panel, label, color: r.color, width: scope === 'step' ? 1 : 2, alpha: scope === 'step' ? 0.5 : 1, dash, x, y, points: scope === 'epoch' && x.length < 60 });
      }
    }
    return out;
  }

  function alpha(color, a) {
    if (a === undefined || a >= 1) return color;
    const n = parseInt(color.slice(1), 16);
    return `rgba(${n >> 16},${(n >> 8) & 255},${n & 255},${a})`;
  }

  function panelElement(def) {
    let c = charts.get(def.id);
    if (c) return c;
    const el = document.createElement('div');
    el.className = 'panel' + (def.wide ? ' wide' : '');
    el.id = def.id.replace(':', '-') + '-chart';
    el.dataset.points = '0';
    const h = document.createElement('h3');
    h.textContent = def.title;
    const chartEl = document.createElement('div');
    chartEl.className = 'chart';
    el.append(h, chartEl);
    c = { def, el, chartEl, u: null, signature: '' };
    charts.set(def.id, c);
    return c;
  }

  function setZoom(range) {
    xZoom = range;
    for (const c of charts.values()) if (c.u) {
      if (range) c.u.setScale('x', range);
      else c.u.setData(c.u.data, true);
    }
  }

  function interaction() {
    return {
      hooks: {
        ready: u => {
          // Shift+drag pans, Alt/Ctrl+wheel zooms around the pointer, double-click shows everything again.
          u.root.addEventListener('mousedown', e => {
            if (!e.shiftKey || e.button !== 0) return;
            e.stopPropagation(); e.preventDefault();
            const x0 = e.clientX, { min, max } = u.scales.x, per = (max - min) / u.over.clientWidth;
            const move = m => setZoom({ min: min - (m.clientX - x0) * per, max: max - (m.clientX - x0) * per });
            const up = () => { document.removeEventListener('mousemove', move); document.removeEventListener('mouseup', up); };
            document.addEventListener('mousemove', move);
            document.addEventListener('mouseup', up);
          }, true);
          u.over.addEventListener('wheel', e => {
            if (!e.altKey && !e.ctrlKey) return;
            e.preventDefault();
            const { min, max } = u.scales.x, at = u.posToVal(e.offsetX, 'x'), f = e.deltaY < 0 ? 0.8 : 1.25;
            setZoom({ min: at - (at - min) * f, max: at + (max - at) * f });
          }, { passive: false });
          u.over.addEventListener('dblclick', () => setZoom(null));
        },
        setSelect: u => {
          if (u.select.width < 3) return;
          const range = { min: u.posToVal(u.select.left, 'x'), max: u.posToVal(u.select.left + u.select.width, 'x') };
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          setZoom(range);
        },
      },
    };
  }

  function chartWidth(c) { return Math.max(240, c.chartEl.clientWidth || c.el.clientWidth - 12); }

  function redraw() {
    const all = lines();
    const container = $('charts');
    const log = $('log').checked;
    const wanted = [];
    for (const def of PANELS) if (def.id === 'loss' || all.some(l => l.panel === def.id)) wanted.push(def);
    for (const id of [...new Set(all.map(l => l.panel))].filter(p => p.startsWith('metric:')).sort())
      wanted.push({ id, title: id.slice(7).replace(/_/g, ' ') });
    for (const [id, c] of charts) if (!wanted.some(d => d.id === id)) { if (c.u) c.u.destroy(); c.el.remove(); charts.delete(id); }
    let total = 0;
    for (const def of wanted) {
      const c = panelElement(def);
      if (container.children[wanted.indexOf(def)] !== c.el) container.insertBefore(c.el, container.children[wanted.indexOf(def)] || null);
      const mine = all.filter(l => l.panel === def.id);
      const count = mine.reduce((n, l) => n + l.y.filter(v => v !== null).length, 0);
      total += def.id === 'loss' ? count : 0;
      c.el.dataset.points = String(count);
      c.el.dataset.series = String(mine.length);
      if (mine.length === 0) {
        if (c.u) { c.u.destroy(); c.u = null; c.signature = ''; }
        if (!c.chartEl.querySelector('.empty')) { const e = document.createElement('div'); e.className = 'empty'; e.textContent = 'waiting for points…'; c.chartEl.replaceChildren(e); }
        continue;
      }
      const isLog = log && !!def.logable;
      c.el.dataset.log = String(isLog);
      const data = mine.length === 1 ? [mine[0].x, mine[0].y] : uPlot.join(mine.map(l => [l.x, l.y]));
      const signature = JSON.stringify([isLog, mine.map(l => [l.label, l.color, l.alpha, l.dash, l.points])]);
      if (c.u && c.signature === signature) {
        c.u.setData(data, !xZoom);
        if (xZoom) c.u.setScale('x', xZoom);
        continue;
      }
      if (c.u) c.u.destroy();
      c.chartEl.replaceChildren();
      c.signature = signature;
      const el = c.el;
      const opts = {
        width: chartWidth(c),
        height: def.wide ? 320 : 220,
        cursor: { sync: { key: 'descent' }, drag: { x: true, y: false, setScale: false } },
        scales: { x: { time: false }, y: isLog ? { distr: 3, log: 10 } : { auto: true } },
        axes: [
          { label: 'optimizer step', labelSize: 18, size: 36 },
          {
            label: (def.axis || def.title) + (isLog ? ' (log scale)' : ''), labelSize: 18, size: 58,
            values: (u, splits) => {
              el.dataset.yticks = splits.filter(v => v !== null && v !== undefined).join(',');
              return splits.map(v => (v === null || v === undefined ? '' : fmt(v)));
            },
          },
        ],
        legend: { live: true },
        plugins: [interaction()],
        series: [
          { label: 'step', value: (u, v) => (v === null || v === undefined ? '—' : String(v)) },
          ...mine.map(l => ({
            label: l.label,
            stroke: alpha(l.color, l.alpha),
            width: l.width,
            dash: l.dash,
            spanGaps: true,
            paths: l.stepped ? uPlot.paths.stepped({ align: 1 }) : undefined,
            points: { show: !!l.points, size: 5, fill: l.color },
            value: (u, v) => fmt(v),
          })),
        ],
      };
      c.u = new uPlot(opts, data, c.chartEl);
      if (xZoom) c.u.setScale('x', xZoom);
    }
    $('loss-chart').dataset.points = String(total);
  }

  new ResizeObserver(() => { for (const c of charts.values()) if (c.u) c.u.setSize({ width: chartWidth(c), height: c.u.height }); }).observe($('charts'));

  // Throttled drawing: at most every 250 ms, and never more than a tenth of the page's time (noggin's budget).
  function frame(now) {
    if (tableDirty) { renderTable(); renderSide(); }
    if (dirty && now - lastDraw >= drawEvery) {
      const t0 = performance.now();
      redraw();
      renderSide();
      const took = performance.now() - t0;
      drawEvery = Math.max(250, 10 * took);
      lastDraw = now;
      dirty = false;
    }
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);
  setInterval(() => { if (!ended) renderSide(); }, 1000); // the elapsed time and the estimate move between updates

  for (const id of ['log', 'batches']) $(id).addEventListener('change', () => { dirty = true; });
  $('all-settings').addEventListener('change', () => { tableDirty = true; });
  $('smoothing').addEventListener('input', () => { $('smoothing-value').textContent = (+$('smoothing').value).toFixed(2); dirty = true; });
  $('stop').onclick = async () => {
    const stop = $('stop');
    stopSent = true; stop.disabled = true; stop.textContent = 'Stopping…';
    try {
      const response = await fetch('/api/stop', { method: 'POST', headers: { 'X-Descent-Token': token } });
      if (!response.ok) { stopSent = false; stop.textContent = 'Stop failed (' + response.status + ')'; stop.disabled = false; }
    } catch (e) { stopSent = false; stop.textContent = 'Stop failed'; stop.disabled = false; }
  };

  const events = new EventSource('/api/events');
  events.addEventListener('snapshot', e => { $('conn').textContent = 'connected'; apply(JSON.parse(e.data)); });
  events.addEventListener('update', e => apply(JSON.parse(e.data)));
  events.onerror = () => {
    if (ended) {
      // The run is over and its command has exited: keep the final curves on screen, stop knocking.
      events.close();
      $('conn').textContent = 'the command has exited; the page shows the final curves';
    } else $('conn').textContent = 'reconnecting…';
  };
})();
