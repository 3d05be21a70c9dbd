"""What a screen reader and a low-vision user need of any console page, read in the browser:
the page's language, one h1 and headings that do not skip a level, a name on every button
and link, a label on every form control and radio group, a header in every table cell of a
head row, and text at WCAG AA contrast."""

from __future__ import annotations

PAGE_PROBLEMS = r"""
const problems = [];
// What is shown and not hidden from screen readers (aria-hidden marks decoration).
const visible = e => {
  const r = e.getBoundingClientRect(), s = getComputedStyle(e);
  return r.width > 1 && r.height > 1 && s.visibility !== 'hidden' && s.display !== 'none'
    && !e.closest('[aria-hidden="true"]');
};
if (document.documentElement.lang !== 'en') problems.push('html has no lang="en"');

// Headings: one h1, then no level skipped on the way down.
const heads = [...document.querySelectorAll('h1,h2,h3,h4,h5,h6')]
  .filter(h => h.getClientRects().length);
if (heads.filter(h => h.tagName === 'H1').length !== 1) {
  problems.push('h1 count: ' + heads.filter(h => h.tagName === 'H1').length);
}
let level = 0;
for (const h of heads) {
  const n = +h.tagName[1];
  if (n > level + 1) problems.push(`heading ${h.tagName} "${h.textContent}" after h${level}`);
  level = n;
}

// Names: what a screen reader says for each button and link.
const named = e => (e.getAttribute('aria-label') || '').trim()
  || (e.getAttribute('aria-labelledby') || '').split(' ').map(
       id => (document.getElementById(id) || {}).textContent || '').join('').trim()
  || e.textContent.trim() || (e.getAttribute('title') || '').trim()
  || [...(e.labels || [])].map(l => l.textContent).join('').trim()
  || [...e.querySelectorAll('img[alt]')].map(i => i.alt).join('').trim();
for (const e of document.querySelectorAll('button, a[href], [role=button]')) {
  if (visible(e) && !named(e)) problems.push('no name: ' + e.outerHTML.slice(0, 160));
}
// Form controls and radio groups: a label, or an aria name, says what each is for.
const labelled = e => (e.getAttribute('aria-label') || e.getAttribute('aria-labelledby'))
  && named(e) || (e.labels && [...e.labels].some(l => l.textContent.trim()));
for (const e of document.querySelectorAll(
    'input:not([type=hidden]), select, textarea, [role=radiogroup]')) {
  const box = e.type === 'radio' || e.type === 'checkbox' ? e.parentElement : e;
  if (visible(box) && !labelled(e)) problems.push('no label: ' + e.outerHTML.slice(0, 160));
}
for (const th of document.querySelectorAll('th')) {
  if (!th.textContent.trim()) problems.push('empty table header: ' + th.outerHTML.slice(0, 80));
}

// Contrast of every visible piece of text against what is behind it.
const rgba = s => {
  const m = s.match(/rgba?\(([^)]+)\)/);
  if (!m) return [0, 0, 0, 0];
  const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
  return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
};
const over = (top, bottom) => [0, 1, 2].map(i => top[i] * top[3] + bottom[i] * (1 - top[3]))
  .concat([1]);
const behind = e => {
  const layers = [];
  for (; e; e = e.parentElement) {
    const c = rgba(getComputedStyle(e).backgroundColor);
    if (c[3] > 0) layers.push(c);
    if (c[3] >= 1) break;
  }
  return layers.reverse().reduce((bg, c) => over(c, bg), [255, 255, 255, 1]);
};
const lum = c => c.slice(0, 3).map(v => {
  v /= 255;
  return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
}).reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
for (const e of document.querySelectorAll('body *')) {
  if (e.closest('svg, iframe, [disabled], [data-disabled="true"], [aria-disabled="true"]')) {
    continue;
  }
  const text = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
  if (!text || !visible(e)) continue;
  const s = getComputedStyle(e);
  const bg = behind(e), fg = over(rgba(s.color), bg);
  const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
  const ratio = (hi + 0.05) / (lo + 0.05);
  const size = parseFloat(s.fontSize), bold = +s.fontWeight >= 700;
  const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
  if (ratio < need - 0.01) {
    problems.push(`contrast ${ratio.toFixed(2)} < ${need}: "${e.textContent.trim().slice(0, 40)}"`
                  + ` (${s.color} on rgb(${bg.slice(0, 3).map(Math.round)}))`);
  }
}
return problems;
"""


def page_problems(driver) -> list[str]:
    return driver.execute_script(PAGE_PROBLEMS)
