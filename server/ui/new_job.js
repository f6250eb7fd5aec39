// The new-job form: a corpus, a name and every training parameter of the API with its default
// filled in; the API's validation errors are shown next to the field they name.

import { api } from './api.js';
import { el, field, formatCount, notice, select } from './ui.js';

// [name, label, default, hint, kind]: kind is a list of choices, 'int' or 'number'.
const PARAMS = [
  ['model', 'Model', 'skipgram', 'skip-gram or CBOW', ['skipgram', 'cbow']],
  ['loss', 'Loss', 'ns', 'negative sampling, hierarchical softmax, full softmax',
    [['ns', 'ns (negative sampling)'], ['hs', 'hs (hierarchical softmax)'], ['softmax', 'softmax']]],
  ['kernel', 'Kernel', 'auto', 'auto: batch for skip-gram, pair for CBOW', ['auto', 'batch', 'pair']],
  ['dim', 'Dimension', '100', 'vector size, 1–4096', 'int'],
  ['window', 'Window', '5', 'largest context distance, 1–100', 'int'],
  ['negative', 'Negative samples', '5', 'per positive example (ns), 1–64', 'int'],
  ['min_count', 'Minimum count', '5', 'rarer words are dropped', 'int'],
  ['max_vocab', 'Maximum vocabulary', '0', '0 = unlimited', 'int'],
  ['sample', 'Subsampling', '0.0001', 'frequent-word threshold, 0 = off', 'number'],
  ['epochs', 'Epochs', '5', 'passes over the corpus, 1–1000', 'int'],
  ['alpha', 'Learning rate', '0', '0 = the model’s default (0.025 skip-gram, 0.05 CBOW)', 'number'],
  ['threads', 'Threads', '0', '0 = the server’s setting', 'int'],
  ['seed', 'Seed', '1', 'random seed', 'int'],
];

// The form field an API error message names: "params.dim must be …", "corpus_id: …",
// 'unknown field "params.x"'.
export function fieldOfError(message) {
  const m = /^(?:unknown field ")?(params\.[a-z_]+|corpus_id|name)\b/.exec(message);
  if (!m) return null;
  return m[1].replace(/^params\./, '');
}

export async function renderNewJob(main, _args, signal) {
  const { corpora } = await api('/v1/corpora', { signal });
  const say = notice();
  main.append(el('h2', {}, 'New job'), say);
  if (!corpora.length) {
    say.show('There is no corpus yet: upload one on the Corpora page first.', true);
    main.append(el('a', { class: 'button', href: '#/corpora' }, 'Go to Corpora'));
    return;
  }

  const fields = new Map();
  const corpus = field('job-corpus', 'Corpus', select(corpora.map((c) =>
    [c.id, `${c.name} — ${formatCount(c.tokens)} words (${c.id})`]), corpora[corpora.length - 1].id),
  'the text to train on');
  corpus.control.name = 'corpus_id';
  fields.set('corpus_id', corpus);
  const name = field('job-name', 'Name', el('input', { type: 'text', name: 'name', maxlength: 200 }),
    'the model’s name; empty: the corpus’s name');
  fields.set('name', name);

  const paramFields = PARAMS.map(([key, label, def, hint, kind]) => {
    const control = Array.isArray(kind) ? select(kind, def)
      : el('input', { type: 'text', inputmode: kind === 'int' ? 'numeric' : 'decimal', value: def,
        name: key, autocomplete: 'off' });
    control.name = key;
    const f = field(`param-${key}`, label, control, `${hint} · default ${def}`);
    f.kind = kind;
    fields.set(key, f);
    return f;
  });

  const submit = el('button', { type: 'submit', class: 'primary' }, 'Start training');
  const form = el('form', { id: 'new-job-form', novalidate: true },
    el('div', { class: 'card' }, el('h3', {}, 'What to train on'),
      el('div', { class: 'grid2' }, corpus, name)),
    el('div', { class: 'card' }, el('h3', {}, 'Parameters'),
      el('p', { class: 'muted' }, 'Every field starts at the server’s default.'),
      el('div', { class: 'form-grid' }, paramFields)),
    el('div', { class: 'actions' },
      el('button', { type: 'reset' }, 'Reset to defaults'), submit));
  main.append(form);

  form.addEventListener('reset', () => {
    for (const f of fields.values()) f.setError('');
    say.show('');
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    for (const f of fields.values()) f.setError('');
    say.show('');
    const params = {};
    for (const [key, , , , kind] of PARAMS) {
      const raw = fields.get(key).control.value.trim();
      if (raw === '') continue;
      // Numbers go as JSON numbers when they read as numbers; anything else is sent as typed
      // so that the API names the problem.
      params[key] = Array.isArray(kind) || !/^-?[0-9.eE+-]+$/.test(raw) || isNaN(Number(raw))
        ? raw : Number(raw);
    }
    const request = { corpus_id: corpus.control.value, params };
    if (name.control.value.trim()) request.name = name.control.value.trim();
    submit.disabled = true;
    try {
      const job = await api('/v1/jobs', { method: 'POST', body: request, signal });
      location.hash = `#/jobs/${encodeURIComponent(job.id)}`;
    } catch (e) {
      const key = fieldOfError(e.message);
      const target = key && fields.get(key);
      if (target) {
        target.setError(e.message);
        target.control.focus();
        say.show('The server refused the job: see the field marked below.', true);
      } else {
        say.show(`The server refused the job: ${e.message}`, true);
      }
    } finally {
      submit.disabled = false;
    }
  });
}
