// One job: its parameters, live progress, loss and words/s curves over the whole run (from
// its stored history, then its event stream), and the evaluation scores of its model.

import { api, followEvents } from './api.js';
import { ProgressChart } from './charts.js';
import { cancelJob, progressCell } from './jobs.js';
import {
  clear, el, evaluationSummary, formatCount, formatDuration, formatRate, formatTime, notice,
  statusBadge,
} from './ui.js';

function paramsList(params) {
  return el('dl', { class: 'params' }, Object.entries(params).map(([k, v]) =>
    el('div', {}, el('dt', {}, k), el('dd', {}, String(v)))));
}

function evaluationTable(evaluation) {
  const rows = [];
  for (const [file, s] of Object.entries(evaluation.analogies || {})) {
    rows.push(el('tr', {}, el('td', {}, file), el('td', {}, 'analogies'),
      el('td', { class: 'num' }, `${(100 * (s.accuracy || 0)).toFixed(2)}%`),
      el('td', { class: 'num' }, `${formatCount(s.covered)} of ${formatCount(s.questions)}`)));
  }
  for (const [file, s] of Object.entries(evaluation.pairs || {})) {
    rows.push(el('tr', {}, el('td', {}, file), el('td', {}, 'word pairs'),
      el('td', { class: 'num' }, `Spearman ${Number(s.spearman).toFixed(3)}`),
      el('td', { class: 'num' }, `${formatCount(s.used)} of ${formatCount(s.pairs)}`)));
  }
  if (!rows.length) {
    return el('p', { class: 'muted' }, 'No evaluation files are configured on this server ' +
      '(w2vd --eval-analogies, --eval-pairs), so the model has no scores.');
  }
  return el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'File'), el('th', {}, 'Kind'),
    el('th', { class: 'num' }, 'Score'), el('th', { class: 'num' }, 'Covered'))), el('tbody', {}, rows));
}

export async function renderJob(main, [id], signal) {
  const path = `/v1/jobs/${encodeURIComponent(id)}`;
  let job = await api(path, { signal });
  const history = await api(`${path}/history`, { signal });
  const epochs = job.params.epochs;

  const say = notice();
  const title = el('h2', {});
  const summary = el('div', { class: 'card', id: 'job-summary' });
  const lossCanvas = el('canvas', { id: 'loss-chart', role: 'img' });
  const speedCanvas = el('canvas', { id: 'speed-chart', role: 'img' });
  const evaluation = el('div', { class: 'card', id: 'job-evaluation' }, el('h3', {}, 'Evaluation'),
    el('p', { class: 'muted' }, 'Scores appear when the job has produced its model.'));
  main.append(title, say, summary,
    el('div', { class: 'charts' },
      el('div', { class: 'card' }, el('h3', {}, 'Loss'),
        el('div', { class: 'chart-box' }, lossCanvas)),
      el('div', { class: 'card' }, el('h3', {}, 'Speed'),
        el('div', { class: 'chart-box' }, speedCanvas))),
    el('div', { class: 'card' }, el('h3', {}, 'Parameters'), paramsList(job.params)),
    evaluation);

  const loss = new ProgressChart(lossCanvas, { label: 'loss', color: '#2357c6', epochs,
    value: (s) => s.loss });
  const speed = new ProgressChart(speedCanvas, { label: 'words/s', color: '#1e7b34', epochs,
    value: (s) => s.words_per_sec, format: (v) => formatRate(v), fromZero: true });
  signal.addEventListener('abort', () => { loss.destroy(); speed.destroy(); });
  const samples = history.samples.concat(history.latest ? [history.latest] : []);
  loss.set(samples, epochs);
  speed.set(samples, epochs);

  const showSummary = () => {
    const p = job.progress || {};
    clear(title, job.name || job.id, ' ', statusBadge(job.status));
    const actions = [];
    if (job.status === 'queued' || job.status === 'running') {
      actions.push(el('button', { type: 'button', class: 'danger',
        onclick: () => cancelJob(job, say.show) }, 'Cancel job'));
    }
    if (job.model_id) {
      actions.push(el('a', { class: 'button', href: `#/explore/${encodeURIComponent(job.model_id)}` },
        `Explore model ${job.model_id}`));
    }
    clear(summary,
      el('div', { class: 'row', style: 'justify-content: space-between' },
        el('div', {}, el('span', { class: 'mono' }, job.id), ' · corpus ',
          el('span', { class: 'mono' }, job.corpus_id), ' · created ', formatTime(job.created_at),
          job.finished_at ? [' · finished ', formatTime(job.finished_at)] : null,
          job.attempts > 1 ? ` · attempt ${job.attempts}` : null,
          job.ranks > 1 ? ` · ${job.ranks} MPI ranks` : null),
        el('div', { class: 'inline-form' }, actions)),
      el('div', { style: 'margin-top: 12px' }, progressCell(job)),
      el('p', { id: 'job-live' },
        `${formatCount(p.words_done)} of ${formatCount(p.words_total)} words · `,
        job.status === 'running'
          ? `${formatRate(p.words_per_sec)} · ETA ${formatDuration(p.eta_seconds)} · `
          : '',
        `loss ${p.loss ? p.loss.toFixed(4) : '–'} · learning rate ${p.alpha ? p.alpha.toFixed(5) : '–'}`),
      job.error ? el('div', { class: 'notice error', role: 'alert' }, `Failed: ${job.error}`) : null);
  };

  const showEvaluation = async () => {
    if (!job.model_id) return;
    try {
      const model = await api(`/v1/models/${encodeURIComponent(job.model_id)}`, { signal });
      clear(evaluation, el('h3', {}, 'Evaluation'),
        el('p', {}, `Model ${model.name} (${model.id}): ${formatCount(model.vocab_size)} words, ` +
          `dimension ${model.dim}. ${evaluationSummary(model.evaluation)}`),
        evaluationTable(model.evaluation || {}));
    } catch (e) {
      if (!signal.aborted) clear(evaluation, el('h3', {}, 'Evaluation'), `Model ${job.model_id}: ${e.message}`);
    }
  };

  showSummary();
  showEvaluation();
  if (job.status !== 'queued' && job.status !== 'running') return;

  const follow = async () => {
    await followEvents(`${path}/events`, (name, data) => {
      if (!data || !data.id) return;
      job = data;
      if (job.status === 'running') {
        loss.add(job.progress, epochs);
        speed.add(job.progress, epochs);
      }
      showSummary();
    }, signal);
    // Ended: the stored history has the whole run, the final report included.
    const final = await api(`${path}/history`, { signal });
    const all = final.samples.concat(final.latest ? [final.latest] : []);
    loss.set(all, epochs);
    speed.set(all, epochs);
    showEvaluation();
  };
  follow().catch((e) => {
    if (!signal.aborted) say.show(`Lost the job's event stream: ${e.message}. Reload to resume.`, true);
  });
}
