// Line charts of a job's progress (Chart.js, embedded from Debian's libjs-chart.js): x is the
// position in the run in epochs (fraction × epochs), so epoch boundaries fall on whole numbers
// and are drawn as dashed lines.

const MAX_POINTS = 3000;  // live points appended to a chart are thinned past this

const epochBoundaries = {
  id: 'epochBoundaries',
  afterDatasetsDraw(chart, _args, options) {
    const epochs = options.epochs || 0;
    const { ctx, chartArea, scales } = chart;
    ctx.save();
    ctx.strokeStyle = '#9aa4b5';
    ctx.fillStyle = '#5b6472';
    ctx.setLineDash([4, 4]);
    ctx.lineWidth = 1;
    ctx.font = '11px system-ui, sans-serif';
    for (let k = 1; k < epochs; k++) {
      const x = scales.x.getPixelForValue(k);
      if (x < chartArea.left || x > chartArea.right) continue;
      ctx.beginPath();
      ctx.moveTo(x, chartArea.top);
      ctx.lineTo(x, chartArea.bottom);
      ctx.stroke();
      ctx.fillText(`epoch ${k + 1}`, x + 4, chartArea.top + 12);
    }
    ctx.restore();
  },
};

export class ProgressChart {
  // canvas: a <canvas>; label: the y axis; value(sample) the y of a sample.
  constructor(canvas, { label, color, epochs, value, format, fromZero = false }) {
    this.canvas = canvas;
    this.label = label;
    this.value = value;
    this.format = format || ((v) => v.toPrecision(4));
    this.chart = new window.Chart(canvas, {
      type: 'line',
      data: { datasets: [{ label, data: [], borderColor: color, backgroundColor: color,
        borderWidth: 2, pointRadius: 0, pointHitRadius: 6, tension: 0 }] },
      options: {
        animation: false,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {
          x: { type: 'linear', min: 0, max: epochs, title: { display: true, text: 'epoch' },
            ticks: { stepSize: epochs > 20 ? undefined : 0.5 } },
          y: { title: { display: true, text: label }, beginAtZero: fromZero },
        },
        plugins: {
          legend: { display: false },
          epochBoundaries: { epochs },
          tooltip: { callbacks: {
            title: (items) => `epoch ${items[0].parsed.x.toFixed(2)}`,
            label: (item) => `${label}: ${this.format(item.parsed.y)}`,
          } },
        },
      },
      plugins: [epochBoundaries],
    });
    this.describe();
  }

  point(sample, epochs) {
    return { x: sample.fraction * epochs, y: this.value(sample) };
  }

  // Replaces the curve with the samples of a history.
  set(samples, epochs) {
    this.chart.data.datasets[0].data = samples
      .filter((s) => s.words_done > 0)
      .map((s) => this.point(s, epochs));
    this.update();
  }

  // Appends a live sample (ignored when it does not move forward).
  add(sample, epochs) {
    const data = this.chart.data.datasets[0].data;
    const p = this.point(sample, epochs);
    if (sample.words_done === 0 || (data.length && p.x <= data[data.length - 1].x)) return;
    data.push(p);
    if (data.length > MAX_POINTS) {
      this.chart.data.datasets[0].data = data.filter((_, i) => i % 2 === 0 || i === data.length - 1);
    }
    this.update();
  }

  update() {
    this.chart.update('none');
    this.describe();
  }

  describe() {
    const data = this.chart.data.datasets[0].data;
    this.canvas.dataset.points = String(data.length);
    const last = data.length ? this.format(data[data.length - 1].y) : 'none yet';
    this.canvas.setAttribute('aria-label',
      `${this.label} over the run: ${data.length} points, latest ${last}`);
  }

  destroy() {
    this.chart.destroy();
  }
}
