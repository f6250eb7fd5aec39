// A page of another origin, as an attacker would write it, served by a tiny local server on
// another port of 127.0.0.1: it tries to read w2vd's data and to change it in every way a page
// can make the browser send (CORS fetches, which need a preflight; no-cors fetches and an
// auto-submitted text/plain form, which do not), and records what it could read in
// window.results. Nothing here trusts its own results: the test checks w2vd's state and log.

import http from 'node:http';

function attackPage(w2vd, { corpus, job, model }) {
  const form = JSON.stringify({ corpus_id: corpus, x: '' }).slice(0, -2);
  return `<!doctype html><meta charset="utf-8"><title>A page of another origin</title>
<iframe name="sink" id="sink"></iframe>
<iframe id="framed" src="${w2vd}/ui/"></iframe>
<form id="form" method="POST" enctype="text/plain" target="sink" action="${w2vd}/v1/jobs">
<input name='${form}' value='"}'></form>
<script>
const W = ${JSON.stringify(w2vd)};
window.results = {};
async function attempt(name, f) {
  try {
    const r = await f();
    window.results[name] = 'read ' + r.status + ' ' + (await r.text()).slice(0, 80);
  } catch (e) {
    window.results[name] = 'blocked';
  }
}
(async () => {
  // Reads: without CORS headers in the answers, none of them resolves.
  await attempt('read-models', () => fetch(W + '/v1/models'));
  await attempt('read-models-with-credentials', () => fetch(W + '/v1/models', { credentials: 'include' }));
  await attempt('read-vectors', () => fetch(W + '/v1/models/${model}/vectors?format=text'));
  // Writes that need a preflight: it is never granted.
  const json = { 'Content-Type': 'application/json' };
  await attempt('post-job-json', () => fetch(W + '/v1/jobs', { method: 'POST', headers: json,
    body: JSON.stringify({ corpus_id: '${corpus}' }) }));
  await attempt('patch-model', () => fetch(W + '/v1/models/${model}', { method: 'PATCH', headers: json,
    body: '{"name":"renamed-by-foreign"}' }));
  await attempt('delete-model', () => fetch(W + '/v1/models/${model}', { method: 'DELETE' }));
  await attempt('delete-corpus', () => fetch(W + '/v1/corpora/${corpus}', { method: 'DELETE' }));
  // Writes that need none: the browser sends them (with Origin and Sec-Fetch-Site); the page
  // cannot read the answer, w2vd must refuse them.
  const blind = (path, init) => fetch(W + path, { method: 'POST', mode: 'no-cors', ...init }).catch(() => {});
  await blind('/v1/corpora?name=planted-by-foreign', { body: 'a b c\\n' });
  await blind('/v1/corpora?name=planted-by-foreign-2', { headers: { 'Content-Type': 'text/plain' }, body: 'a b c\\n' });
  await blind('/v1/models?name=planted-by-foreign&format=text', { body: '1 2\\nw 0.5 0.5\\n' });
  await blind('/v1/jobs', { headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify({ corpus_id: '${corpus}' }) });
  await blind('/v1/jobs/${job}/cancel', {});
  await blind('/v1/models/${model}/similar', { headers: { 'Content-Type': 'text/plain' }, body: '{"positive":["t0w0"]}' });
  await blind('/v1/models/${model}/evaluate?kind=pairs', { headers: { 'Content-Type': 'text/plain' }, body: 't0w0 t0w1 9\\n' });
  // An HTML form posting a job, as plain HTML would.
  await new Promise((resolve) => {
    document.getElementById('sink').addEventListener('load', resolve, { once: true });
    document.getElementById('form').submit();
  });
  window.results.done = true;
})();
</script>`;
}

// Serves the attack page at / on 127.0.0.1, another port; resolves to { url, close() }.
export async function startForeignSite(w2vd, ids) {
  const page = attackPage(w2vd, ids);
  const server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(page);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

// What w2vd holds, from Node (no Origin): to compare before and after the foreign page.
export async function w2vdState(w2vd) {
  const out = [];
  for (const path of ['/v1/corpora', '/v1/jobs', '/v1/models']) {
    const body = await (await fetch(w2vd + path)).json();
    const list = body.corpora || body.jobs || body.models;
    for (const r of list) out.push(`${r.id} ${r.name} ${r.status || ''} ${r.search || ''}`);
  }
  return out.sort().join('\n');
}
