// Talks to w2vd's API: the token (asked for once, kept in this tab's session storage, sent
// as a Bearer header, never put in a URL), JSON calls, event streams and uploads.

const TOKEN_KEY = 'w2vd-token';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let tokenPrompt = null;  // one prompt at a time, shared by every call that met a 401

function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

function authHeaders(extra = {}) {
  const t = token();
  return t ? { ...extra, Authorization: `Bearer ${t}` } : extra;
}

export function hasToken() {
  return token() !== '';
}

// A link that carries the token in its fragment (#token=..., the one w2vd logs when it made
// its own token): the token is kept as if typed, and the fragment replaced, so it stays out of
// the history and the address bar. Fragments never reach a server or its access log.
export function takeTokenFromFragment() {
  const m = /^#token=([^&]+)$/.exec(location.hash);
  if (!m) return;
  sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
  history.replaceState(null, '', `${location.pathname}${location.search}#/jobs`);
}

export function forgetToken() {
  sessionStorage.removeItem(TOKEN_KEY);
}

// Checks a candidate token against the server; true when it is accepted.
async function tokenWorks(candidate) {
  const r = await fetch('/v1/jobs', { headers: { Authorization: `Bearer ${candidate}` } });
  if (r.status === 401) return false;
  if (!r.ok) throw new ApiError(r.status, 'unexpected', `the server answered ${r.status}`);
  return true;
}

// Shows the token dialog until a token is accepted; resolves then.
function askForToken(refusedBefore) {
  if (tokenPrompt) return tokenPrompt;
  const dialog = document.getElementById('token-dialog');
  const form = document.getElementById('token-form');
  const input = document.getElementById('token-input');
  const error = document.getElementById('token-error');
  const submit = document.getElementById('token-submit');
  error.textContent = refusedBefore
    ? 'The token kept in this tab was refused: enter the current one.' : '';
  input.value = '';
  input.removeAttribute('aria-invalid');
  tokenPrompt = new Promise((resolve) => {
    const onSubmit = async (event) => {
      event.preventDefault();
      const candidate = input.value.trim();
      if (!candidate) return;
      submit.disabled = true;
      try {
        if (await tokenWorks(candidate)) {
          sessionStorage.setItem(TOKEN_KEY, candidate);
          form.removeEventListener('submit', onSubmit);
          dialog.removeEventListener('cancel', onCancel);
          dialog.close();
          tokenPrompt = null;
          document.dispatchEvent(new CustomEvent('w2vd-token'));
          resolve();
        } else {
          error.textContent = 'Wrong token: the server refused it (401). Check the value ' +
            'given to w2vd with --token or W2VD_TOKEN.';
          input.setAttribute('aria-invalid', 'true');
          input.select();
        }
      } catch (e) {
        error.textContent = `Cannot reach the server: ${e.message}`;
      } finally {
        submit.disabled = false;
      }
    };
    const onCancel = (event) => event.preventDefault();  // no data without a token
    form.addEventListener('submit', onSubmit);
    dialog.addEventListener('cancel', onCancel);
  });
  dialog.showModal();
  input.focus();
  return tokenPrompt;
}

async function errorFrom(response) {
  let code = 'http_' + response.status;
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = await response.json();
    if (body && body.error) {
      code = body.error.code || code;
      message = body.error.message || message;
    }
  } catch {
    // not JSON: keep the status line
  }
  return new ApiError(response.status, code, message);
}

// fetch() with the token; on a 401 asks for the token and tries again.
export async function call(path, options = {}) {
  for (;;) {
    const init = { ...options, headers: authHeaders(options.headers || {}) };
    const response = await fetch(path, init);
    if (response.status !== 401) return response;
    const hadToken = hasToken();
    forgetToken();
    await askForToken(hadToken);
  }
}

// A JSON call: resolves to the parsed body; rejects with ApiError on an error status.
export async function api(path, { method = 'GET', body, signal } = {}) {
  const options = { method, signal };
  if (body !== undefined) {
    options.body = JSON.stringify(body);
    options.headers = { 'Content-Type': 'application/json' };
  }
  const response = await call(path, options);
  if (!response.ok) throw await errorFrom(response);
  if (response.status === 204) return null;
  return response.json();
}

// Follows a Server-Sent Events stream (fetch, so the token goes in a header, which
// EventSource cannot send). Calls onEvent(name, data) per event; resolves when it ends.
export async function followEvents(path, onEvent, signal) {
  const response = await call(path, { signal, headers: { Accept: 'text/event-stream' } });
  if (!response.ok) throw await errorFrom(response);
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let name = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) name = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length) onEvent(name, JSON.parse(data.join('\n')));
    }
  }
}

// Uploads a corpus file (gzip when it starts with gzip's magic bytes) with upload progress.
// onProgress(sent, total). Resolves to the corpus record.
export async function uploadCorpus(file, name, onProgress) {
  const head = new Uint8Array(await file.slice(0, 2).arrayBuffer());
  const gzip = head.length === 2 && head[0] === 0x1f && head[1] === 0x8b;
  const send = () => new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/v1/corpora?name=${encodeURIComponent(name)}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    if (gzip) xhr.setRequestHeader('Content-Encoding', 'gzip');
    const t = token();
    if (t) xhr.setRequestHeader('Authorization', `Bearer ${t}`);
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onload = () => resolve(xhr);
    xhr.onerror = () => reject(new ApiError(0, 'network', 'the upload was interrupted'));
    xhr.send(file);
  });
  for (;;) {
    const xhr = await send();
    if (xhr.status === 401) {
      const hadToken = hasToken();
      forgetToken();
      await askForToken(hadToken);
      continue;
    }
    let body = null;
    try {
      body = JSON.parse(xhr.responseText);
    } catch {
      // handled below
    }
    if (xhr.status >= 200 && xhr.status < 300) return body;
    const err = body && body.error ? body.error : {};
    throw new ApiError(xhr.status, err.code || `http_${xhr.status}`,
      err.message || `the upload failed (${xhr.status})`);
  }
}

// Downloads a response body as a file (so the token can be sent in a header).
export async function download(path, filename) {
  const response = await call(path);
  if (!response.ok) throw await errorFrom(response);
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}
