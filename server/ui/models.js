// Models: vocabulary, dimension and evaluation scores; export in both word2vec formats,
// rename, default search mode and the state of the approximate-search index, delete.

import { api, download } from './api.js';
import { clear, el, evaluationSummary, formatCount, formatTime, indexSummary, notice, select } from './ui.js';

const indexBusy = (index) => index && (index.state === 'building' || index.state === 'loading');
const INDEX_REFRESH_MS = 2000;

export async function renderModels(main, _args, signal) {
  const say = notice();
  const body = el('tbody');
  main.append(el('h2', {}, 'Models'), say,
    el('div', { class: 'card' }, el('table', { id: 'models-table' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Name'), el('th', { class: 'num' }, 'Words'),
        el('th', { class: 'num' }, 'Dim'), el('th', {}, 'Evaluation'), el('th', {}, 'Search'),
        el('th', {}, 'Created'), el('th', {}, 'Actions'))),
      body)));

  let shown = [];  // the models the table shows
  // Rewrites the index cells only, from a fresh list.
  const followIndexes = async () => {
    try {
      ({ models: shown } = await api('/v1/models', { signal }));
      for (const m of shown) {
        const cell = body.querySelector(`tr[data-model="${CSS.escape(m.id)}"] .index-state`);
        if (cell) cell.textContent = indexSummary(m.index);
      }
    } catch (e) {
      if (!signal.aborted) say.show(`Cannot refresh the models: ${e.message}`, true);
    }
  };

  const act = async (what, f) => {
    try {
      await f();
    } catch (e) {
      say.show(`${what}: ${e.message}`, true);
    }
  };

  // After the list is redrawn, gives the focus back to the model's Rename button, so that a
  // keyboard user stays where they were.
  const refreshFocusingRename = async (id) => {
    await refresh();
    body.querySelector(`tr[data-model="${CSS.escape(id)}"] button.rename`)?.focus();
  };

  const renameForm = (m, cell) => {
    const input = el('input', { type: 'text', value: m.name, maxlength: 200,
      'aria-label': `New name for model ${m.id}` });
    const form = el('form', { class: 'inline-form' }, input,
      el('button', { type: 'submit' }, 'Save'),
      el('button', { type: 'button', onclick: () => refreshFocusingRename(m.id) }, 'Keep'));
    form.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') refreshFocusingRename(m.id);
    });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      act(`Cannot rename model ${m.id}`, async () => {
        await api(`/v1/models/${encodeURIComponent(m.id)}`, { method: 'PATCH',
          body: { name: input.value.trim() }, signal });
        say.show(`Renamed model ${m.id} to “${input.value.trim()}”.`);
        await refreshFocusingRename(m.id);
      });
    });
    clear(cell, form);
    input.focus();
    input.select();
  };

  const row = (m) => {
    const nameCell = el('td', {}, el('a', { href: `#/explore/${encodeURIComponent(m.id)}` }, m.name),
      el('div', { class: 'muted mono' }, m.id),
      m.state === 'broken' && el('div', { class: 'broken', role: 'note' }, `Broken: ${m.error}`));
    const search = select([['exact', 'exact'], ['approximate', 'approximate']], m.search);
    search.setAttribute('aria-label', `Default search of model ${m.name}`);
    search.addEventListener('change', () => act(`Cannot change the search of ${m.id}`, async () => {
      await api(`/v1/models/${encodeURIComponent(m.id)}`, { method: 'PATCH',
        body: { search: search.value }, signal });
      say.show(`Model “${m.name}” now answers /similar with ${search.value} search.`);
      await followIndexes();  // setting approximate starts the index's build
    }));
    const path = `/v1/models/${encodeURIComponent(m.id)}`;
    return el('tr', { 'data-model': m.id }, nameCell,
      el('td', { class: 'num' }, formatCount(m.vocab_size)),
      el('td', { class: 'num' }, m.dim),
      el('td', {}, evaluationSummary(m.evaluation) || el('span', { class: 'muted' }, 'none')),
      el('td', {}, search, el('div', { class: 'muted index-state', role: 'status' },
        indexSummary(m.index))),
      el('td', {}, formatTime(m.created_at)),
      el('td', {}, el('div', { class: 'inline-form' },
        el('a', { class: 'button', href: `#/explore/${encodeURIComponent(m.id)}` }, 'Explore'),
        el('button', { type: 'button', 'aria-label': `Export ${m.name} in word2vec binary format`,
          onclick: () => act('Export failed', () => download(`${path}/vectors?format=binary`, `${m.id}.bin`)) },
        '.bin'),
        el('button', { type: 'button', 'aria-label': `Export ${m.name} in word2vec text format`,
          onclick: () => act('Export failed', () => download(`${path}/vectors?format=text`, `${m.id}.txt`)) },
        '.txt'),
        el('button', { type: 'button', class: 'rename', onclick: () => renameForm(m, nameCell),
          'aria-label': `Rename model ${m.name}` }, 'Rename'),
        el('button', { type: 'button', class: 'danger', 'aria-label': `Delete model ${m.name}`,
          onclick: () => {
            if (!confirm(`Delete model “${m.name}” (${m.id}) and its vectors?`)) return;
            act(`Cannot delete model ${m.id}`, async () => {
              await api(path, { method: 'DELETE', signal });
              say.show(`Deleted model “${m.name}”.`);
              await refresh();
            });
          } }, 'Delete'))));
  };

  const refresh = async () => {
    const { models } = await api('/v1/models', { signal });
    if (!models.length) {
      clear(body, el('tr', {}, el('td', { colspan: 7, class: 'empty' },
        'No model yet: a job that succeeds adds one.')));
      return;
    }
    clear(body, models.slice().reverse().map(row));
    shown = models;
  };
  await refresh();
  // While an index builds, its cell follows it (the rest of the table, maybe a rename form in
  // it, stays as it is).
  const timer = setInterval(() => {
    if (shown.some((m) => indexBusy(m.index))) followIndexes();
  }, INDEX_REFRESH_MS);
  signal.addEventListener('abort', () => clearInterval(timer));
}
