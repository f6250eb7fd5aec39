// Corpora: upload by file picker or drag and drop (gzip files too) with a progress bar, the
// list with sizes and token counts, and delete (a corpus in use says so in a sentence).

import { api, uploadCorpus } from './api.js';
import { clear, el, field, formatBytes, formatCount, formatTime, notice } from './ui.js';

function baseName(fileName) {
  return fileName.replace(/\.gz$/i, '').replace(/\.[^.]*$/, '') || fileName;
}

export async function renderCorpora(main, _args, signal) {
  const say = notice();
  const body = el('tbody');
  const fileInput = el('input', { type: 'file', id: 'corpus-file' });
  const nameField = field('corpus-name', 'Name', el('input', { type: 'text', maxlength: 200 }),
    'shown in lists; empty: the file’s name');
  const progress = el('progress', { max: 100, value: 0, id: 'upload-progress',
    'aria-label': 'upload progress' });
  const progressText = el('span', { class: 'muted', id: 'upload-status' });
  const progressBox = el('div', { class: 'upload-progress', hidden: true }, progress, progressText);
  const drop = el('div', { class: 'dropzone', id: 'corpus-drop' },
    el('p', {}, 'Drop a text file here (plain or gzip), or choose one:'),
    el('label', { for: 'corpus-file' }, 'Corpus file'), fileInput,
    el('p', { class: 'muted' }, 'Words are separated by spaces, one sentence per line.'));

  main.append(el('h2', {}, 'Corpora'), say,
    el('div', { class: 'card' }, el('h3', {}, 'Upload a corpus'),
      el('div', { class: 'grid2' }, drop, el('div', {}, nameField, progressBox))),
    el('div', { class: 'card' }, el('table', { id: 'corpora-table' },
      el('thead', {}, el('tr', {}, el('th', {}, 'Name'), el('th', { class: 'num' }, 'Size'),
        el('th', { class: 'num' }, 'Words'), el('th', { class: 'num' }, 'Sentences'),
        el('th', { class: 'num' }, 'Distinct words'), el('th', {}, 'Uploaded'), el('th', {}, ''))),
      body)));

  const refresh = async () => {
    const { corpora } = await api('/v1/corpora', { signal });
    if (!corpora.length) {
      clear(body, el('tr', {}, el('td', { colspan: 7, class: 'empty' }, 'No corpus yet.')));
      return;
    }
    clear(body, corpora.slice().reverse().map((c) => el('tr', { 'data-corpus': c.id },
      el('td', {}, c.name, el('div', { class: 'muted mono' }, c.id),
        c.state === 'broken' && el('div', { class: 'broken', role: 'note' }, `Broken: ${c.error}`)),
      el('td', { class: 'num' }, formatBytes(c.bytes)),
      el('td', { class: 'num' }, formatCount(c.tokens)),
      el('td', { class: 'num' }, formatCount(c.sentences)),
      el('td', { class: 'num' }, formatCount(c.distinct_words)),
      el('td', {}, formatTime(c.created_at)),
      el('td', {}, el('div', { class: 'inline-form' },
        el('a', { class: 'button', href: '#/new' }, 'Train'),
        el('button', { type: 'button', class: 'danger', 'aria-label': `Delete corpus ${c.name}`,
          onclick: () => remove(c) }, 'Delete'))))));
  };

  const remove = async (c) => {
    if (!confirm(`Delete corpus “${c.name}” (${c.id})? Its text is removed from the server.`)) return;
    try {
      await api(`/v1/corpora/${encodeURIComponent(c.id)}`, { method: 'DELETE', signal });
      say.show(`Deleted corpus “${c.name}”.`);
    } catch (e) {
      if (e.status === 409) {
        say.show(`Corpus “${c.name}” cannot be deleted while a queued or running job uses it: ` +
          'cancel that job or wait for it to finish, then delete the corpus.', true);
      } else {
        say.show(`Cannot delete corpus “${c.name}”: ${e.message}`, true);
      }
    }
    await refresh();
  };

  const upload = async (file) => {
    const name = nameField.control.value.trim() || baseName(file.name);
    nameField.setError('');
    say.show('');
    progressBox.hidden = false;
    progress.value = 0;
    progressText.textContent = ` ${file.name}: starting…`;
    fileInput.disabled = true;
    try {
      const corpus = await uploadCorpus(file, name, (sent, total) => {
        progress.value = total ? (100 * sent) / total : 0;
        progressText.textContent = ` ${file.name}: ${formatBytes(sent)} of ${formatBytes(total)}` +
          (sent >= total ? ' — counting words…' : '');
      });
      progress.value = 100;
      progressText.textContent = ` ${file.name}: done`;
      say.show(`Uploaded “${corpus.name}”: ${formatCount(corpus.tokens)} words, ` +
        `${formatCount(corpus.distinct_words)} distinct.`);
      nameField.control.value = '';
      await refresh();
    } catch (e) {
      progressText.textContent = ` ${file.name}: failed`;
      if (/^name\b/.test(e.message)) nameField.setError(e.message);
      else say.show(`The upload of ${file.name} failed: ${e.message}`, true);
    } finally {
      fileInput.disabled = false;
      fileInput.value = '';
    }
  };

  fileInput.addEventListener('change', () => {
    if (fileInput.files.length) upload(fileInput.files[0]);
  });
  for (const type of ['dragenter', 'dragover']) {
    drop.addEventListener(type, (e) => {
      e.preventDefault();
      drop.classList.add('over');
    });
  }
  for (const type of ['dragleave', 'drop']) {
    drop.addEventListener(type, () => drop.classList.remove('over'));
  }
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    const file = e.dataTransfer.files[0];
    if (file) upload(file);
  });
  await refresh();
}
