// The Descent live page: hand-written canvas drawing, fed by Server-Sent Events. No third-party code.
'use strict';
(() => {
  const token = document.querySelector('meta[name="descent-token"]').content;
  const palette = ['#1e88e5', '#e53935', '#43a047', '#fb8c00', '#8e24aa', '#6d4c41', '#d81b60', '#00acc1'];
  const runs = new Map();      // key -> { info, series: Map('step:loss' -> [[x, y]]), color }
  const selected = new Set();  // keys drawn
  let focus = null;            // the run whose progress and settings are shown
  let dirty = true, lastDraw = 0, drawEvery = 250;
  const $ = id => document.getElementById(id);

  function run(key) {
    let r = runs.get(key);
    if (!r) {
      r = { info: { key, name: key, status: 'running' }, series: new Map(), color: palette[runs.size % palette.length] };
      runs.set(key, r);
    }
    return r;
  }

  function apply(data, reset) {
    if (reset) for (const r of runs.values()) r.series.clear();
    for (const info of data.runs) {
      const isNew = !runs.has(info.key);
      run(info.key).info = info;
      if (isNew && (info.live || data.runs.length === 1)) selected.add(info.key);
    }
    for (const [key, points] of Object.entries(data.points)) {
      const r = run(key);
      for (const [scope, step, , name, value] of points) {
        const id = (scope ? 'epoch:' : 'step:') + name;
        let s = r.series.get(id);
        if (!s) r.series.set(id, s = []);
        s.push([step, value === null ? NaN : value]);
      }
    }
    if (selected.size === 0 && runs.size > 0) selected.add([...runs.keys()].pop());
    if (!focus || !runs.has(focus)) focus = [...selected][0] || null;
    renderSide();
    dirty = true;
  }

  function renderSide() {
    const list = $('runs');
    list.replaceChildren(...[...runs.values()].map(r => {
      const li = document.createElement('li');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.checked = selected.has(r.info.key);
      box.onchange = () => { box.checked ? selected.add(r.info.key) : selected.delete(r.info.key); focus = r.info.key; renderSide(); dirty = true; };
      const label = document.createElement('label');
      label.style.display = 'inline';
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      swatch.style.background = r.color;
      const status = document.createElement('span');
      status.className = 'status';
      status.textContent = ' ' + r.info.status;
      label.append(box, swatch, r.info.name, status);
      label.onclick = () => { focus = r.info.key; renderSide(); };
      li.append(label);
      return li;
    }));
    const f = focus && runs.get(focus);
    if (f) {
      const i = f.info;
      const parts = [`${i.name}: ${i.status}`];
      if (i.epoch) parts.push(`epoch ${i.epoch}${i.totalEpochs ? ' of ' + i.totalEpochs : ''}`);
      if (i.batch) parts.push(`batch ${i.batch}${i.batchesPerEpoch ? ' of ' + i.batchesPerEpoch : ''}`);
      if (i.step) parts.push(`step ${i.step}`);
      const lr = f.series.get('step:learning_rate');
      if (lr && lr.length) parts.push(`learning rate ${fmt(lr[lr.length - 1][1])}`);
      if (i.reason) parts.push(i.reason);
      $('progress').textContent = parts.join(' · ');
      const rows = Object.entries(i.settings || {}).map(([k, v]) => {
        const tr = document.createElement('tr');
        const a = document.createElement('td'), b = document.createElement('td');
        a.textContent = k;
        b.textContent = typeof v === 'object' ? JSON.stringify(v) : String(v);
        tr.append(a, b);
        return tr;
      });
      $('settings').replaceChildren(...rows);
    }
    const running = [...runs.values()].some(r => r.info.live && r.info.status === 'running');
    const stop = $('stop');
    if (stop.dataset.sent !== 'yes') stop.disabled = !running;
    stop.style.visibility = [...runs.values()].some(r => r.info.live) ? 'visible' : 'hidden';
  }

  function fmt(v) {
    if (!isFinite(v)) return String(v);
    const a = Math.abs(v);
    return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : +v.toPrecision(4) + '';
  }

  function ticks(lo, hi, log) {
    if (log) {
      const out = [];
      for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) out.push(Math.pow(10, e));
      return out.filter(t => t >= lo * 0.999 && t <= hi * 1.001);
    }
    const span = hi - lo || 1, raw = span / 6, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 5, 10].map(m => m * mag).find(s => span / s <= 6);
    const out = [];
    for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(+t.toPrecision(12));
    return out;
  }

  // series: [{ points: [[x, y]], color, width, dash }]
  function draw(canvas, series, log, title) {
    const ctx = canvas.getContext('2d');
    const W = canvas.width, H = canvas.height, L = 64, R = 16, T = 24, B = 34;
    ctx.clearRect(0, 0, W, H);
    ctx.font = '12px system-ui, sans-serif';
    ctx.fillStyle = '#333';
    ctx.fillText(title, L, 16);
    const ok = y => isFinite(y) && (!log || y > 0);
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (const s of series) for (const [x, y] of s.points) if (ok(y)) { x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
    if (!isFinite(x0)) { ctx.fillStyle = '#999'; ctx.fillText('waiting for points…', L + 10, T + 30); return; }
    if (x1 === x0) x1 = x0 + 1;
    if (y1 === y0) { const pad = log || y0 === 0 ? 1 : Math.abs(y0) / 2; y0 = log ? y0 / 2 : y0 - pad; y1 = log ? y1 * 2 : y1 + pad; }
    const fy = log ? (v => Math.log10(v)) : (v => v);
    const Y0 = fy(y0), Y1 = fy(y1);
    const px = x => L + (x - x0) / (x1 - x0) * (W - L - R);
    const py = y => H - B - (fy(y) - Y0) / (Y1 - Y0) * (H - T - B);
    ctx.strokeStyle = '#e0e0e0'; ctx.fillStyle = '#555'; ctx.lineWidth = 1; ctx.setLineDash([]);
    for (const t of ticks(y0, y1, log)) { const y = py(t); ctx.beginPath(); ctx.moveTo(L, y); ctx.lineTo(W - R, y); ctx.stroke(); ctx.fillText(fmt(t), 4, y + 4); }
    for (const t of ticks(x0, x1, false)) { const x = px(t); ctx.beginPath(); ctx.moveTo(x, T); ctx.lineTo(x, H - B); ctx.stroke(); ctx.fillText(fmt(t), x - 10, H - B + 16); }
    ctx.strokeStyle = '#888'; ctx.strokeRect(L, T, W - L - R, H - T - B);
    ctx.save();
    ctx.beginPath(); ctx.rect(L, T, W - L - R, H - T - B); ctx.clip();
    for (const s of series) {
      const stride = Math.max(1, Math.floor(s.points.length / (2 * (W - L - R))));
      ctx.strokeStyle = s.color; ctx.lineWidth = s.width; ctx.globalAlpha = s.alpha || 1; ctx.setLineDash(s.dash || []);
      ctx.beginPath();
      let pen = false;
      for (let i = 0; i < s.points.length; i += stride) {
        const [x, y] = s.points[i];
        if (!ok(y)) { pen = false; continue; }
        pen ? ctx.lineTo(px(x), py(y)) : ctx.moveTo(px(x), py(y));
        pen = true;
      }
      ctx.stroke();
      if (s.points.length <= 60 && s.width > 1) for (const [x, y] of s.points) if (ok(y)) { ctx.beginPath(); ctx.arc(px(x), py(y), 2.5, 0, 7); ctx.fillStyle = s.color; ctx.fill(); }
    }
    ctx.restore();
    ctx.globalAlpha = 1; ctx.setLineDash([]);
  }

  function redraw() {
    const log = $('log').checked, batches = $('batches').checked;
    const loss = [], lr = [];
    let count = 0;
    for (const key of selected) {
      const r = runs.get(key);
      if (!r) continue;
      const batch = r.series.get('step:loss') || [];
      count += batch.length;
      if (batches) loss.push({ points: batch, color: r.color, width: 1, alpha: 0.45 });
      loss.push({ points: r.series.get('epoch:loss') || [], color: r.color, width: 2.5 });
      loss.push({ points: r.series.get('epoch:val_loss') || [], color: r.color, width: 2.5, dash: [7, 5] });
      // The learning rate is logged when it changes: draw it as a step function up to the run's current step.
      const rate = (r.series.get('step:learning_rate') || r.series.get('epoch:learning_rate') || []).slice();
      if (rate.length && r.info.step > rate[rate.length - 1][0]) rate.push([r.info.step, rate[rate.length - 1][1]]);
      lr.push({ points: rate, color: r.color, width: 1.5 });
    }
    const canvas = $('loss-chart');
    draw(canvas, loss, log, 'loss' + (log ? ' (log scale)' : ''));
    draw($('lr-chart'), lr, false, 'learning rate');
    canvas.dataset.points = String(count);
  }

  // Throttled drawing: at most every 250 ms, and never more than a tenth of the page's time (noggin's budget).
  function frame(now) {
    if (dirty && now - lastDraw >= drawEvery) {
      const t0 = performance.now();
      redraw();
      const took = performance.now() - t0;
      drawEvery = Math.max(250, 10 * took);
      lastDraw = now;
      dirty = false;
    }
    requestAnimationFrame(frame);
  }
  requestAnimationFrame(frame);

  $('log').onchange = () => { dirty = true; };
  $('batches').onchange = () => { dirty = true; };
  $('stop').onclick = async () => {
    const stop = $('stop');
    stop.disabled = true; stop.dataset.sent = 'yes'; stop.textContent = 'Stopping…';
    const response = await fetch('/api/stop', { method: 'POST', headers: { 'X-Descent-Token': token } });
    if (!response.ok) { stop.textContent = 'Stop failed (' + response.status + ')'; stop.dataset.sent = ''; stop.disabled = false; }
  };

  const events = new EventSource('/api/events');
  events.addEventListener('snapshot', e => { $('conn').textContent = 'live'; apply(JSON.parse(e.data), true); });
  events.addEventListener('update', e => apply(JSON.parse(e.data), false));
  events.onerror = () => { $('conn').textContent = 'reconnecting…'; };
})();
