// The jobs list: every job with its status; running jobs show a live progress bar, words/s,
// ETA and loss from their event streams; queued and running jobs can be cancelled.

import { api, followEvents } from './api.js';
import { clear, el, formatDuration, formatRate, formatTime, notice, statusBadge } from './ui.js';

const MAX_STREAMS = 4;       // browsers allow 6 connections per server over HTTP/1.1
const REFRESH_MS = 4000;     // the list itself (new jobs, queued → running)

export function progressCell(job) {
  const p = job.progress || {};
  const pct = Math.round(100 * (p.fraction || 0));
  const active = job.status === 'running';
  const bar = el('progress', {
    max: 100, value: job.status === 'succeeded' ? 100 : pct,
    'aria-label': `progress of ${job.name || job.id}`,
  });
  const caption = job.status === 'queued' ? 'waiting'
    : `${job.status === 'succeeded' ? 100 : pct}% · epoch ${p.epoch || 0}/${p.epochs || 0}`;
  return el('div', { class: 'progress-cell', 'data-active': active ? 'true' : null },
    bar, el('small', {}, caption));
}

export async function cancelJob(job, say) {
  try {
    await api(`/v1/jobs/${encodeURIComponent(job.id)}/cancel`, { method: 'POST' });
    say(`Job ${job.name || job.id} is being cancelled.`);
  } catch (e) {
    say(`Cannot cancel job ${job.id}: ${e.message}`, true);
  }
}

export async function renderJobs(main, _args, signal) {
  const say = notice();
  const body = el('tbody');
  main.append(
    el('div', { class: 'row', style: 'justify-content: space-between; align-items: center' },
      el('h2', {}, 'Jobs'), el('a', { class: 'button', href: '#/new' }, 'New job')),
    say,
    el('div', { class: 'card' }, el('table', { id: 'jobs-table' },
      el('thead', {}, el('tr', {},
        el('th', {}, 'Job'), el('th', {}, 'Status'), el('th', {}, 'Progress'),
        el('th', { class: 'num' }, 'Speed'), el('th', { class: 'num' }, 'ETA'),
        el('th', { class: 'num' }, 'Loss'), el('th', {}, 'Created'), el('th', {}, ''))),
      body)));

  const rows = new Map();    // job id -> <tr>
  const streams = new Map(); // job id -> AbortController

  const renderRow = (job) => {
    const p = job.progress || {};
    const live = job.status === 'running';
    const actions = [];
    if (job.status === 'queued' || job.status === 'running') {
      actions.push(el('button', { type: 'button', class: 'danger',
        'aria-label': `Cancel job ${job.name || job.id}`,
        onclick: () => cancelJob(job, say.show) }, 'Cancel'));
    }
    if (job.model_id) {
      actions.push(el('a', { href: `#/explore/${encodeURIComponent(job.model_id)}` }, 'Explore'));
    }
    const row = el('tr', { 'data-job': job.id, 'data-status': job.status },
      el('td', {}, el('a', { href: `#/jobs/${encodeURIComponent(job.id)}` }, job.name || job.id),
        el('div', { class: 'muted mono' }, job.id)),
      el('td', {}, statusBadge(job.status)),
      el('td', {}, progressCell(job)),
      el('td', { class: 'num' }, live ? formatRate(p.words_per_sec) : '–'),
      el('td', { class: 'num' }, live ? formatDuration(p.eta_seconds) : '–'),
      el('td', { class: 'num' }, p.loss ? p.loss.toFixed(4) : '–'),
      el('td', {}, formatTime(job.created_at)),
      el('td', {}, el('div', { class: 'inline-form' }, actions)));
    const old = rows.get(job.id);
    if (old) old.replaceWith(row);
    else body.prepend(row);
    rows.set(job.id, row);
  };

  const follow = (job) => {
    if (streams.has(job.id) || streams.size >= MAX_STREAMS) return;
    const controller = new AbortController();
    signal.addEventListener('abort', () => controller.abort());
    streams.set(job.id, controller);
    followEvents(`/v1/jobs/${encodeURIComponent(job.id)}/events`, (_name, data) => {
      if (data && data.id) renderRow(data);
    }, controller.signal).catch(() => {}).finally(() => streams.delete(job.id));
  };

  const refresh = async () => {
    const { jobs } = await api('/v1/jobs', { signal });
    if (!jobs.length) {
      clear(body, el('tr', {}, el('td', { colspan: 8, class: 'empty' },
        'No jobs yet. Upload a corpus, then start a job from “New job”.')));
      rows.clear();
      return;
    }
    if (!rows.size) clear(body);
    for (const job of jobs) {
      if (!streams.has(job.id)) renderRow(job);
      if (job.status === 'running') follow(job);
    }
  };

  await refresh();
  const timer = setInterval(() => refresh().catch((e) => {
    if (!signal.aborted) say.show(`Cannot refresh the jobs: ${e.message}`, true);
  }), REFRESH_MS);
  signal.addEventListener('abort', () => clearInterval(timer));
}
