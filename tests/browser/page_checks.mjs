// Checks of a dashboard page that several steps of dashboard.test.mjs share: every form control
// has an accessible name (read from chromium's accessibility tree), nothing sticks out of the
// window or of its card, the focused element shows a focus ring, a file dropped on an element,
// and a download read back.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

const CONTROL_ROLES = new Set(['textbox', 'combobox', 'spinbutton', 'listbox', 'checkbox',
  'radio', 'slider', 'searchbox', 'button']);

// Asserts that every form control in the accessibility tree has a non-empty name. Returns the
// names seen, by role, so that a test can check the ones it expects.
export async function assertControlsNamed(page, where) {
  const cdp = await page.context().newCDPSession(page);
  try {
    const { nodes } = await cdp.send('Accessibility.getFullAXTree');
    const named = [];
    const unnamed = [];
    for (const node of nodes) {
      const role = node.role && node.role.value;
      if (node.ignored || !CONTROL_ROLES.has(role)) continue;
      const name = (node.name && node.name.value || '').trim();
      if (name) named.push(`${role}: ${name}`);
      else unnamed.push(`${role} (backend node ${node.backendDOMNodeId})`);
    }
    assert.deepEqual(unnamed, [], `${where}: every form control has an accessible name`);
    return named;
  } finally {
    await cdp.detach();
  }
}

// Asserts that the page does not scroll sideways and that no visible element inside <main>
// sticks out of <main> or out of the card it is in (an overflow a clipping parent would hide).
export async function assertFits(page, where) {
  const problems = await page.evaluate(() => {
    const out = [];
    const width = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > width) {
      out.push(`the page is ${document.documentElement.scrollWidth} px wide in a ${width} px window`);
    }
    const main = document.getElementById('main').getBoundingClientRect();
    for (const node of document.querySelectorAll('#main *')) {
      const r = node.getBoundingClientRect();
      if (!r.width || !r.height) continue;
      const box = node.closest('.card')?.getBoundingClientRect() || main;
      if (r.right > box.right + 1 || r.left < box.left - 1) {
        const id = node.id ? `#${node.id}` : '';
        const cls = node.className && typeof node.className === 'string' ? `.${node.className.split(' ')[0]}` : '';
        out.push(`${node.tagName.toLowerCase()}${id}${cls} spans ${Math.round(r.left)}–` +
          `${Math.round(r.right)} px, outside its box ${Math.round(box.left)}–${Math.round(box.right)}`);
      }
    }
    return out.slice(0, 10);
  });
  assert.deepEqual(problems, [], `${where} fits its window`);
}

// The focused element and whether it shows a focus ring (an outline or a box shadow).
export async function focused(page) {
  return page.evaluate(() => {
    const e = document.activeElement;
    const style = getComputedStyle(e);
    const ring = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0) ||
      style.boxShadow !== 'none';
    return { tag: e.tagName.toLowerCase(), id: e.id, text: (e.textContent || '').trim(),
      ring, visible: e.matches(':focus-visible') };
  });
}

// Presses Tab (or `key`, e.g. Shift+Tab) until the focused element satisfies want(focusedInfo),
// at most `limit` times; every element on the way must show its focus ring.
export async function tabTo(page, want, { limit = 40, key = 'Tab' } = {}) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press(key);
    const f = await focused(page);
    if (f.tag !== 'body') {
      assert.ok(f.visible && f.ring, `the focused ${f.tag}#${f.id} “${f.text.slice(0, 30)}” shows a focus ring`);
    }
    if (want(f)) return f;
  }
  assert.fail(`no element wanted was reached in ${limit} presses of ${key}`);
}

// Drops a file (its bytes read from `file`, named `name`) on the element `selector`, as a user
// dragging it from the desktop does: dragenter, dragover, drop with a DataTransfer holding it.
export async function dropFile(page, selector, file, name, mime) {
  const bytes = [...readFileSync(file)];
  const data = await page.evaluateHandle(({ bytes, name, mime }) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(bytes)], name, { type: mime }));
    return dt;
  }, { bytes, name, mime });
  for (const type of ['dragenter', 'dragover', 'drop']) {
    await page.dispatchEvent(selector, type, { dataTransfer: data });
  }
}

// Clicks `button` and returns the bytes of the file it downloads, and its suggested name.
export async function downloadOf(page, button) {
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const file = await download.path();
  return { name: download.suggestedFilename(), bytes: readFileSync(file) };
}
