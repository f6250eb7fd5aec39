// The dashboard's entry point: a hash router (#/jobs, #/jobs/<id>, #/new, #/corpora,
// #/models, #/explore/<model>) that renders one view at a time into <main>. Each view gets an
// AbortSignal that fires when the user leaves it, to stop its streams and timers.

import { forgetToken, hasToken, takeTokenFromFragment } from './api.js';
import { renderCorpora } from './corpora.js';
import { renderExplore } from './explore.js';
import { renderJob } from './job.js';
import { renderJobs } from './jobs.js';
import { renderModels } from './models.js';
import { renderNewJob } from './new_job.js';
import { clear, el } from './ui.js';

const routes = [
  [/^\/jobs\/([^/]+)$/, 'jobs', renderJob],
  [/^\/jobs$/, 'jobs', renderJobs],
  [/^\/new$/, 'new', renderNewJob],
  [/^\/corpora$/, 'corpora', renderCorpora],
  [/^\/models$/, 'models', renderModels],
  [/^\/explore(?:\/([^/]+))?$/, 'explore', renderExplore],
];

let current = null;  // the AbortController of the view on screen

async function route() {
  const path = location.hash.replace(/^#/, '') || '/jobs';
  const main = document.getElementById('main');
  if (current) current.abort();
  current = new AbortController();
  const { signal } = current;
  const found = routes.find(([pattern]) => pattern.test(path));
  if (!found) {
    location.replace('#/jobs');
    return;
  }
  const [pattern, section, render] = found;
  for (const a of document.querySelectorAll('header nav a')) {
    if (a.dataset.section === section) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  const args = pattern.exec(path).slice(1).map((s) => (s ? decodeURIComponent(s) : s));
  clear(main);
  try {
    await render(main, args, signal);
  } catch (e) {
    if (signal.aborted || e.name === 'AbortError') return;
    clear(main, el('div', { class: 'notice error', role: 'alert' }, e.message));
  }
}

function updateTokenButton() {
  document.getElementById('forget-token').hidden = !hasToken();
}

document.getElementById('forget-token').addEventListener('click', () => {
  forgetToken();
  updateTokenButton();
  route();
});
document.addEventListener('w2vd-token', updateTokenButton);
// A new view takes the focus to its content, so that the next Tab goes into it rather than
// through the navigation again (as a full page load would start from the top).
window.addEventListener('hashchange', () => {
  route();
  document.getElementById('main').focus({ preventScroll: true });
});
takeTokenFromFragment();
updateTokenButton();
route();
