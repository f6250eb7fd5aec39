// The new-job form: a corpus, a name and every training parameter with its default filled in,
// built from the server's table of parameters (GET /v1/params; this file names none); the
// API's validation errors are shown next to the field they name.

import { api } from './api.js';
import { el, field, formatCount, notice, select } from './ui.js';

// The form field an API error message names: "params.dim must be …", "corpus_id: …",
// 'unknown field "params.x"'.
export function fieldOfError(message) {
  const m = /^(?:unknown field ")?(params\.[a-z_]+|corpus_id|name)\b/.exec(message);
  if (!m) return null;
  return m[1].replace(/^params\./, '');
}

export async function renderNewJob(main, _args, signal) {
  const [{ corpora }, { params }] = await Promise.all([
    api('/v1/corpora', { signal }), api('/v1/params', { signal })]);
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

  // A choice or a boolean is a select; a number is a text box holding its default.
  const paramFields = params.map((p) => {
    const def = String(p.default);
    const choices = p.type === 'boolean' ? ['true', 'false'] : p.enum;
    const control = choices ? select(choices, def)
      : el('input', { type: 'text', inputmode: p.type === 'integer' ? 'numeric' : 'decimal',
        value: def, name: p.name, autocomplete: 'off' });
    control.name = p.name;
    const shown = p.default_rule ? `${def}: ${p.default_rule}` : def;
    const f = field(`param-${p.name}`, p.label, control, `${p.help} · default ${shown}`);
    fields.set(p.name, f);
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
    const values = {};
    for (const p of params) {
      const raw = fields.get(p.name).control.value.trim();
      if (raw === '') continue;
      // Numbers go as JSON numbers when they read as numbers; anything else is sent as typed
      // so that the API names the problem.
      if (p.type === 'boolean') {
        values[p.name] = raw === 'true';
      } else if (p.type === 'string' || !/^-?[0-9.eE+-]+$/.test(raw) || isNaN(Number(raw))) {
        values[p.name] = raw;
      } else {
        values[p.name] = Number(raw);
      }
    }
    const request = { corpus_id: corpus.control.value, params: values };
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
