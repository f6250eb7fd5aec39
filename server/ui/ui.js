// Small DOM and formatting helpers shared by the views.

// el('div', {class: 'x', onclick: f}, child, 'text', ...): an element. Attributes starting
// with "on" are listeners; null and false attributes are left out.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      node.addEventListener(key.slice(2), value);
    } else if (key === 'text') {
      node.textContent = value;
    } else if (value === true) {
      node.setAttribute(key, '');
    } else {
      node.setAttribute(key, value);
    }
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(node, ...children) {
  node.replaceChildren();
  append(node, children);
  return node;
}

export function formatBytes(n) {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let i = 0;
  while (n >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${n.toFixed(i === 0 || n >= 100 ? 0 : 1)} ${units[i]}`;
}

export function formatCount(n) {
  if (n === null || n === undefined) return '–';
  return Number(n).toLocaleString('en-US');
}

export function formatRate(wordsPerSec) {
  if (!wordsPerSec) return '–';
  if (wordsPerSec >= 1e6) return `${(wordsPerSec / 1e6).toFixed(2)}M words/s`;
  if (wordsPerSec >= 1e3) return `${(wordsPerSec / 1e3).toFixed(1)}k words/s`;
  return `${wordsPerSec.toFixed(0)} words/s`;
}

export function formatDuration(seconds) {
  if (seconds === null || seconds === undefined || !isFinite(seconds)) return '–';
  seconds = Math.max(0, Math.round(seconds));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  // No-break spaces keep a number with its unit when a narrow table cell wraps.
  if (h) return `${h}\u00a0h ${String(m).padStart(2, '0')}\u00a0min`;
  if (m) return `${m}\u00a0min ${String(s).padStart(2, '0')}\u00a0s`;
  return `${s}\u00a0s`;
}

export function formatTime(rfc3339) {
  if (!rfc3339) return '–';
  const d = new Date(rfc3339);
  return d.toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

export function statusBadge(status) {
  return el('span', { class: `status ${status}` }, status);
}

// A notice line: text shown, or hidden when empty; error styles it as an error.
export function notice() {
  const node = el('div', { class: 'notice', role: 'status' });
  node.show = (text, error = false) => {
    node.textContent = text || '';
    node.classList.toggle('error', !!error);
    node.setAttribute('role', error ? 'alert' : 'status');
  };
  return node;
}

// A labelled input (or select) with an optional hint and an error line under it.
export function field(id, label, control, hint) {
  control.id = id;
  const error = el('p', { class: 'field-error', id: `${id}-error` });
  const describedBy = [`${id}-error`];
  let hintNode = null;
  if (hint) {
    hintNode = el('span', { class: 'hint', id: `${id}-hint` }, hint);
    describedBy.push(`${id}-hint`);
  }
  control.setAttribute('aria-describedby', describedBy.join(' '));
  const wrap = el('div', { class: 'field' }, el('label', { for: id }, label), control, hintNode, error);
  wrap.control = control;
  wrap.setError = (text) => {
    error.textContent = text || '';
    if (text) control.setAttribute('aria-invalid', 'true');
    else control.removeAttribute('aria-invalid');
  };
  return wrap;
}

export function select(options, value) {
  const s = el('select');
  for (const o of options) {
    const [v, text] = Array.isArray(o) ? o : [o, o];
    s.append(el('option', { value: v, selected: v === value }, text));
  }
  return s;
}

// The evaluation scores of a model as short text: "questions-words: 43.2% · ws353: 0.61".
export function evaluationSummary(evaluation) {
  const parts = [];
  for (const [file, s] of Object.entries((evaluation && evaluation.analogies) || {})) {
    parts.push(`${file}: ${(100 * (s.accuracy || 0)).toFixed(1)}% of ${formatCount(s.covered)}`);
  }
  for (const [file, s] of Object.entries((evaluation && evaluation.pairs) || {})) {
    parts.push(`${file}: ρ ${Number(s.spearman || 0).toFixed(3)} (${s.used}/${s.pairs})`);
  }
  return parts.join(' · ');
}

// A model's HNSW index state in words: "index building 42%", "index ready", "index failed: why".
export function indexSummary(index) {
  if (!index || index.state === 'none') return 'no index';
  if (index.state === 'building') return `index building ${Math.floor(index.progress * 100)}%`;
  if (index.state === 'failed') return `index failed: ${index.error}`;
  return `index ${index.state}`;
}
