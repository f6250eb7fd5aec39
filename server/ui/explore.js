// Explore a model: a word box with completion, its nearest neighbours, analogies, the
// similarity of two words, and a 2-D map of the most frequent words (PCA on the server).

import { api } from './api.js';
import { clear, el, field, formatCount, indexSummary, notice, select } from './ui.js';
import { WordMap } from './word_map.js';

// A text input completing words of the model from GET /v1/models/{id}/words?prefix=…
function wordInput(modelId, id, signal) {
  const list = el('datalist', { id: `${id}-words` });
  const input = el('input', { type: 'text', list: `${id}-words`, autocomplete: 'off',
    spellcheck: 'false' });
  let pending = 0;
  input.addEventListener('input', async () => {
    const prefix = input.value;
    const ticket = ++pending;
    if (!prefix) return;
    try {
      const { words } = await api(`/v1/models/${encodeURIComponent(modelId)}/words?prefix=` +
        `${encodeURIComponent(prefix)}&limit=12`, { signal });
      if (ticket !== pending) return;
      clear(list, words.map((w) => el('option', { value: w.word })));
    } catch {
      // completion is a convenience: the query itself reports errors
    }
  });
  return { input, list };
}

function resultsTable(results, onWord) {
  if (!results.length) return el('p', { class: 'muted' }, 'No results.');
  const top = Math.max(...results.map((r) => Math.abs(r.score)), 1e-9);
  return el('table', { class: 'results' },
    el('thead', {}, el('tr', {}, el('th', {}, '#'), el('th', {}, 'Word'),
      el('th', { class: 'num' }, 'Cosine'))),
    el('tbody', {}, results.map((r, i) => el('tr', {},
      el('td', { class: 'muted' }, i + 1),
      el('td', { class: 'word' }, el('button', { type: 'button', onclick: () => onWord(r.word) }, r.word)),
      el('td', { class: 'num' }, r.score.toFixed(4),
        el('span', { class: 'scorebar', style: `width: ${Math.round(60 * Math.abs(r.score) / top)}px` }))))));
}

export async function renderExplore(main, [modelId], signal) {
  const { models } = await api('/v1/models', { signal });
  main.append(el('h2', {}, 'Explore a model'));
  if (!models.length) {
    main.append(el('p', { class: 'notice' }, 'No model yet: train one from “New job”.'));
    return;
  }
  const model = models.find((m) => m.id === modelId) || models[models.length - 1];
  const base = `/v1/models/${encodeURIComponent(model.id)}`;
  const pick = field('explore-model', 'Model', select(models.slice().reverse().map((m) =>
    [m.id, `${m.name} (${m.id})`]), model.id));
  pick.control.addEventListener('change', () => {
    location.hash = `#/explore/${encodeURIComponent(pick.control.value)}`;
  });
  main.append(el('div', { class: 'card row' }, pick,
    el('p', { class: 'muted', style: 'margin: 0 0 8px' },
      `${formatCount(model.vocab_size)} words, dimension ${model.dim}, ${model.search} search.`)));

  // ---- neighbours ----
  const say = notice();
  const word = wordInput(model.id, 'explore-word', signal);
  const wordField = field('explore-word', 'Word', word.input, 'type to complete');
  const kField = field('explore-k', 'Neighbours', el('input', { type: 'number', min: 1, max: 1000, value: 10 }));
  const neighbours = el('div', { id: 'neighbours' });
  const neighboursForm = el('form', { id: 'neighbours-form' },
    el('div', { class: 'row' }, wordField, word.list, kField,
      el('button', { type: 'submit', class: 'primary' }, 'Neighbours')), say, neighbours);

  // ---- analogy and similarity ----
  const a = wordInput(model.id, 'analogy-a', signal);
  const b = wordInput(model.id, 'analogy-b', signal);
  const c = wordInput(model.id, 'analogy-c', signal);
  const analogyOut = el('div', { id: 'analogy-results' });
  const analogySay = notice();
  const analogyForm = el('form', { id: 'analogy-form' },
    el('p', { class: 'muted' }, 'a is to b as c is to ?'),
    el('div', { class: 'row' }, field('analogy-a', 'a', a.input), a.list,
      field('analogy-b', 'b', b.input), b.list, field('analogy-c', 'c', c.input), c.list,
      el('button', { type: 'submit' }, 'Solve')), analogySay, analogyOut);
  const s1 = wordInput(model.id, 'sim-a', signal);
  const s2 = wordInput(model.id, 'sim-b', signal);
  const simOut = notice();
  const simForm = el('form', { id: 'similarity-form' },
    el('div', { class: 'row' }, field('sim-a', 'First word', s1.input), s1.list,
      field('sim-b', 'Second word', s2.input), s2.list,
      el('button', { type: 'submit' }, 'Compare')), simOut);

  // ---- map ----
  const maxN = Math.max(2, Math.min(5000, Math.floor(4e6 / Math.max(1, model.dim)), model.vocab_size));
  const nField = field('map-n', 'Words on the map', el('input', { type: 'number', min: 2, max: maxN,
    value: Math.min(1000, maxN) }), `the most frequent, 2–${formatCount(maxN)}`);
  const findWord = wordInput(model.id, 'map-find', signal);
  const findField = field('map-find', 'Find a word', findWord.input);
  const mapSay = notice();
  const canvas = el('canvas', { id: 'word-map', tabindex: 0, role: 'img',
    'aria-label': 'Map of the most frequent words: drag or arrow keys to pan, wheel or +/- to ' +
      'zoom, 0 to fit, click a point for its neighbours' });
  const tip = el('div', { class: 'map-tip', id: 'map-tip', hidden: true, role: 'status' });
  const mapInfo = el('p', { class: 'muted', id: 'map-info' },
    'The map is drawn on request: it projects the words’ vectors on their two main directions.');
  const mapCard = el('div', { class: 'card' }, el('h3', {}, 'Map of the most frequent words'),
    el('form', { id: 'map-form', class: 'map-tools', novalidate: true }, nField,
      el('button', { type: 'submit', class: 'primary' }, 'Draw map'),
      el('span', { style: 'flex: 1' }), findField, findWord.list,
      el('button', { type: 'button', id: 'map-find-button', onclick: () => find() }, 'Find'),
      el('button', { type: 'button', onclick: () => map.zoom(1.25), 'aria-label': 'Zoom in' }, '+'),
      el('button', { type: 'button', onclick: () => map.zoom(0.8), 'aria-label': 'Zoom out' }, '−'),
      el('button', { type: 'button', onclick: () => map.fit() }, 'Fit')),
    mapSay, el('div', { class: 'map-wrap' }, canvas, tip), mapInfo);

  main.append(
    el('div', { class: 'grid2' },
      el('div', { class: 'card' }, el('h3', {}, 'Nearest neighbours'), neighboursForm),
      el('div', {},
        el('div', { class: 'card' }, el('h3', {}, 'Analogy'), analogyForm),
        el('div', { class: 'card' }, el('h3', {}, 'Similarity'), simForm))),
    mapCard);

  const map = new WordMap(canvas, tip, { onPick: (w) => showNeighbours(w) });
  signal.addEventListener('abort', () => map.destroy());

  async function showNeighbours(w) {
    word.input.value = w;
    wordField.setError('');
    say.show('');
    const k = Number(kField.control.value) || 10;
    try {
      const r = await api(`${base}/similar?word=${encodeURIComponent(w)}&k=${k}`, { signal });
      // A word outside the vocabulary of a model trained with subwords is answered from its
      // n-grams (docs/api.md): the caption says so. The model searches approximately, but its
      // index is not ready: the exact search answered.
      const from = r.oov ? ' (from its character n-grams)' : '';
      const pending = r.index ? `; the approximate index is ${indexSummary(r.index).replace(/^index /, '')}` : '';
      clear(neighbours,
        el('p', { class: 'muted' }, `Closest to “${w}”${from} (${r.search} search${pending}):`),
        resultsTable(r.results, showNeighbours));
      if (map.has(w) || r.results.some((x) => map.has(x.word))) {
        map.show(w, r.results.map((x) => x.word));
        const shown = r.results.filter((x) => map.has(x.word)).length;
        mapSay.show(`Highlighted “${w}”${map.has(w) ? '' : ' (not on the map)'} and ` +
          `${shown} of its ${r.results.length} neighbours that are on the map.`);
      }
    } catch (e) {
      clear(neighbours);
      if (e.status === 404 || /^word/.test(e.message)) wordField.setError(e.message);
      else if (/^k\b/.test(e.message)) kField.setError(e.message);
      else say.show(e.message, true);
    }
  }

  function find() {
    const w = findWord.input.value.trim();
    if (!w) return;
    if (!map.words.length) {
      mapSay.show('Draw the map first.', true);
      return;
    }
    if (map.show(w, [])) {
      canvas.scrollIntoView({ block: 'nearest' });
      mapSay.show(`“${w}” is at the centre of the map, in red.`);
    } else {
      mapSay.show(`“${w}” is not among the ${map.words.length} words on the map.`, true);
    }
  }

  neighboursForm.addEventListener('submit', (e) => {
    e.preventDefault();
    if (word.input.value.trim()) showNeighbours(word.input.value.trim());
  });
  analogyForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    analogySay.show('');
    try {
      const r = await api(`${base}/analogy`, { method: 'POST', signal,
        body: { a: a.input.value.trim(), b: b.input.value.trim(), c: c.input.value.trim(), k: 5 } });
      clear(analogyOut, resultsTable(r.results, showNeighbours));
      if (r.oov) {
        analogySay.show('A word outside the vocabulary is answered (from its character n-grams).');
      }
    } catch (err) {
      clear(analogyOut);
      analogySay.show(err.message, true);
    }
  });
  simForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    const x = s1.input.value.trim();
    const y = s2.input.value.trim();
    try {
      const r = await api(`${base}/similarity?a=${encodeURIComponent(x)}&b=${encodeURIComponent(y)}`,
        { signal });
      simOut.show(`cosine(“${x}”, “${y}”) = ${r.similarity.toFixed(4)}` +
        (r.oov ? ' (a word from its character n-grams)' : ''));
    } catch (err) {
      simOut.show(err.message, true);
    }
  });
  findWord.input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      find();
    }
  });
  const mapForm = mapCard.querySelector('#map-form');
  mapForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    nField.setError('');
    mapSay.show('Projecting…');
    try {
      const n = nField.control.value.trim();
      const r = await api(`${base}/map?n=${encodeURIComponent(n)}`, { signal });
      map.set(r);
      canvas.dataset.words = String(r.words.length);
      mapSay.show('');
      clear(mapInfo, `${formatCount(r.words.length)} most frequent words projected on their two ` +
        `principal components (PCA of the unit vectors), which hold ` +
        `${(100 * r.explained[0]).toFixed(1)}% and ${(100 * r.explained[1]).toFixed(1)}% of ` +
        'their variance. Nearby points often share neighbours, but distances here only ' +
        'approximate cosine similarity: trust the neighbour lists.');
    } catch (err) {
      mapSay.show('');
      if (/^n\b/.test(err.message)) nField.setError(err.message);
      else mapSay.show(err.message, true);
    }
  });
}
