// The 2-D map of a model's most frequent words, drawn on a canvas: drag to pan, wheel or +/-
// to zoom, arrow keys to pan, hover for the word, click a point to show its neighbours, which
// are highlighted with their labels.

export class WordMap {
  constructor(canvas, tip, { onPick }) {
    this.canvas = canvas;
    this.tip = tip;
    this.onPick = onPick;
    this.words = [];
    this.x = [];
    this.y = [];
    this.index = new Map();
    this.highlight = new Map();  // word -> 'focus' | 'neighbour'
    this.view = { cx: 0, cy: 0, scale: 1 };
    this.hover = -1;
    this.attach();
    this.resizeObserver = new ResizeObserver(() => this.draw());
    this.resizeObserver.observe(canvas);
  }

  destroy() {
    this.resizeObserver.disconnect();
  }

  set({ words, x, y }) {
    this.words = words;
    this.x = x;
    this.y = y;
    this.index = new Map(words.map((w, i) => [w, i]));
    this.highlight.clear();
    this.fit();
  }

  has(word) {
    return this.index.has(word);
  }

  // Centres the view on every point.
  fit() {
    if (!this.words.length) return this.draw();
    const [x0, x1] = [Math.min(...this.x), Math.max(...this.x)];
    const [y0, y1] = [Math.min(...this.y), Math.max(...this.y)];
    const { width, height } = this.size();
    this.view.cx = (x0 + x1) / 2;
    this.view.cy = (y0 + y1) / 2;
    this.view.scale = 0.9 * Math.min(width / Math.max(x1 - x0, 1e-9), height / Math.max(y1 - y0, 1e-9));
    this.draw();
  }

  size() {
    const r = this.canvas.getBoundingClientRect();
    return { width: r.width || 1, height: r.height || 1 };
  }

  // Data to CSS pixels and back.
  toScreen(i) {
    const { width, height } = this.size();
    return [width / 2 + (this.x[i] - this.view.cx) * this.view.scale,
      height / 2 - (this.y[i] - this.view.cy) * this.view.scale];
  }

  // Shows word and its neighbours highlighted, centring the view on the word and zooming so
  // that its neighbours on the map are in view, spread out.
  show(word, neighbours = []) {
    this.highlight.clear();
    for (const n of neighbours) if (this.index.has(n)) this.highlight.set(n, 'neighbour');
    const i = this.index.get(word);
    if (i !== undefined) {
      this.highlight.set(word, 'focus');
      this.view.cx = this.x[i];
      this.view.cy = this.y[i];
      let dx = 0;
      let dy = 0;
      for (const [w, kind] of this.highlight) {
        if (kind !== 'neighbour') continue;
        const j = this.index.get(w);
        dx = Math.max(dx, Math.abs(this.x[j] - this.x[i]));
        dy = Math.max(dy, Math.abs(this.y[j] - this.y[i]));
      }
      if (dx > 0 || dy > 0) {
        const { width, height } = this.size();
        this.view.scale = Math.min(1e7,
          0.4 * Math.min(dx > 0 ? width / dx : Infinity, dy > 0 ? height / dy : Infinity));
      }
    }
    this.draw();
    return i !== undefined;
  }

  zoom(factor, atX, atY) {
    const { width, height } = this.size();
    const px = atX ?? width / 2;
    const py = atY ?? height / 2;
    // Keep the data point under (px, py) in place.
    const dx = (px - width / 2) / this.view.scale + this.view.cx;
    const dy = -(py - height / 2) / this.view.scale + this.view.cy;
    this.view.scale = Math.min(1e7, Math.max(1e-3, this.view.scale * factor));
    this.view.cx = dx - (px - width / 2) / this.view.scale;
    this.view.cy = dy + (py - height / 2) / this.view.scale;
    this.draw();
  }

  pan(dxPixels, dyPixels) {
    this.view.cx -= dxPixels / this.view.scale;
    this.view.cy += dyPixels / this.view.scale;
    this.draw();
  }

  // The point nearest (px, py) within radius pixels, -1 if none; on a tie the highlighted
  // word wins, so the word just found or clicked stays pickable inside a dense cluster.
  nearestPoint(px, py, radius = 8) {
    let best = -1;
    let bestD = radius * radius + 1e-9;
    const candidates = [...this.highlight]
      .sort(([, a], [, b]) => (a === 'focus' ? -1 : 0) - (b === 'focus' ? -1 : 0))
      .map(([w]) => this.index.get(w));
    for (let i = 0; i < this.words.length; i++) candidates.push(i);
    for (const i of candidates) {
      const [sx, sy] = this.toScreen(i);
      const d = (sx - px) ** 2 + (sy - py) ** 2;
      if (d < bestD) {
        bestD = d;
        best = i;
      }
    }
    return best;
  }

  attach() {
    const c = this.canvas;
    let drag = null;
    const local = (e) => {
      const r = c.getBoundingClientRect();
      return [e.clientX - r.left, e.clientY - r.top];
    };
    c.addEventListener('pointerdown', (e) => {
      drag = { x: e.clientX, y: e.clientY, moved: false };
      c.setPointerCapture(e.pointerId);
    });
    c.addEventListener('pointermove', (e) => {
      if (drag) {
        const dx = e.clientX - drag.x;
        const dy = e.clientY - drag.y;
        if (drag.moved || Math.abs(dx) + Math.abs(dy) > 3) {
          drag.moved = true;
          c.classList.add('dragging');
          this.pan(dx, dy);
          drag.x = e.clientX;
          drag.y = e.clientY;
          return;
        }
      }
      const [px, py] = local(e);
      this.setHover(this.nearestPoint(px, py), px, py);
    });
    c.addEventListener('pointerup', (e) => {
      const wasDrag = drag && drag.moved;
      drag = null;
      c.classList.remove('dragging');
      if (wasDrag) return;
      const [px, py] = local(e);
      const i = this.nearestPoint(px, py);
      if (i >= 0) this.onPick(this.words[i]);
    });
    c.addEventListener('pointerleave', () => this.setHover(-1));
    c.addEventListener('wheel', (e) => {
      e.preventDefault();
      const [px, py] = local(e);
      this.zoom(Math.exp(-e.deltaY * 0.0015), px, py);
    }, { passive: false });
    c.addEventListener('keydown', (e) => {
      const step = 40;
      const keys = {
        '+': () => this.zoom(1.25), '=': () => this.zoom(1.25), '-': () => this.zoom(0.8),
        ArrowLeft: () => this.pan(step, 0), ArrowRight: () => this.pan(-step, 0),
        ArrowUp: () => this.pan(0, step), ArrowDown: () => this.pan(0, -step),
        '0': () => this.fit(),
      };
      if (keys[e.key]) {
        e.preventDefault();
        keys[e.key]();
      }
    });
  }

  setHover(i, px, py) {
    if (i === this.hover && i < 0) return;
    this.hover = i;
    if (i < 0) {
      this.tip.hidden = true;
    } else {
      this.tip.hidden = false;
      this.tip.textContent = `${this.words[i]} (#${i + 1})`;
      this.tip.style.left = `${px + 12}px`;
      this.tip.style.top = `${py - 10}px`;
    }
    this.draw();
  }

  draw() {
    const c = this.canvas;
    const { width, height } = this.size();
    const dpr = window.devicePixelRatio || 1;
    if (c.width !== Math.round(width * dpr) || c.height !== Math.round(height * dpr)) {
      c.width = Math.round(width * dpr);
      c.height = Math.round(height * dpr);
    }
    const ctx = c.getContext('2d');
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    if (!this.words.length) return;
    const dim = this.highlight.size > 0;
    ctx.fillStyle = dim ? 'rgba(120, 132, 150, 0.35)' : 'rgba(35, 87, 198, 0.55)';
    const visible = [];
    for (let i = 0; i < this.words.length; i++) {
      const [sx, sy] = this.toScreen(i);
      if (sx < -5 || sy < -5 || sx > width + 5 || sy > height + 5) continue;
      visible.push(i);
      ctx.beginPath();
      ctx.arc(sx, sy, 2.5, 0, 2 * Math.PI);
      ctx.fill();
    }
    ctx.font = '12px system-ui, sans-serif';
    // Labels for every visible point once few are on screen.
    if (visible.length <= 150) {
      ctx.fillStyle = '#3b4452';
      for (const i of visible) {
        const [sx, sy] = this.toScreen(i);
        ctx.fillText(this.words[i], sx + 4, sy - 4);
      }
    }
    for (const [word, kind] of this.highlight) {
      const i = this.index.get(word);
      const [sx, sy] = this.toScreen(i);
      ctx.beginPath();
      ctx.arc(sx, sy, kind === 'focus' ? 6 : 4.5, 0, 2 * Math.PI);
      ctx.fillStyle = kind === 'focus' ? '#d1462f' : '#f29f05';
      ctx.fill();
      ctx.strokeStyle = '#fff';
      ctx.lineWidth = 1.5;
      ctx.stroke();
      ctx.font = kind === 'focus' ? 'bold 14px system-ui, sans-serif' : '12px system-ui, sans-serif';
      ctx.lineWidth = 3;
      ctx.strokeText(word, sx + 7, sy - 6);
      ctx.fillStyle = '#18202e';
      ctx.fillText(word, sx + 7, sy - 6);
    }
    if (this.hover >= 0) {
      const [sx, sy] = this.toScreen(this.hover);
      ctx.beginPath();
      ctx.arc(sx, sy, 5, 0, 2 * Math.PI);
      ctx.strokeStyle = '#18202e';
      ctx.lineWidth = 2;
      ctx.stroke();
    }
  }
}
