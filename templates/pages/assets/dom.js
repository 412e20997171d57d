/**
 * DOM helpers shared by the patient page and the clinic dashboard. No framework: elements are built
 * with `h()`, which only ever sets text through text nodes (never innerHTML), so patient- or
 * staff-entered text cannot become markup. Style goes through classes only (the CSP has no
 * 'unsafe-inline', so style attributes would be refused).
 */

/**
 * @typedef {string | number | Node | null | undefined | false} Child
 * @typedef {Record<string, string | number | boolean | null | undefined | EventListener>} Attrs
 */

/**
 * Builds an element. Attributes whose value is false/null/undefined are left out; `on<event>` keys add
 * listeners; everything else is set with setAttribute (so values are never parsed as HTML).
 * @param {string} tag
 * @param {Attrs} [attrs]
 * @param {...(Child | Child[])} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      el.addEventListener(key.slice(2).toLowerCase(), /** @type {EventListener} */ (value));
    } else if (key === 'value' && 'value' in el) {
      /** @type {HTMLInputElement} */ (el).value = String(value);
    } else if (key === 'checked' && 'checked' in el) {
      // Both the state and the default, so form.reset() comes back to it.
      /** @type {HTMLInputElement} */ (el).checked = Boolean(value);
      /** @type {HTMLInputElement} */ (el).defaultChecked = Boolean(value);
    } else {
      el.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(el, children);
  return el;
}

/**
 * @param {HTMLElement} el
 * @param {(Child | Child[])[]} children
 */
function append(el, children) {
  for (const child of children.flat(2)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/**
 * Replaces an element's content.
 * @param {Element} el
 * @param {...(Child | Child[])} children
 */
export function replace(el, ...children) {
  el.replaceChildren();
  append(/** @type {HTMLElement} */ (el), children);
}

/**
 * Fills `{name}` placeholders. Values are plain text.
 * @param {string} text
 * @param {Record<string, string | number>} [vars]
 */
export function fill(text, vars = {}) {
  return text.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
}

/**
 * Like fill(), but returns nodes: each value is isolated in a <bdi> (or is the given node), so a Latin
 * name or a phone number inside Arabic text keeps its own direction.
 * @param {string} text
 * @param {Record<string, string | number | Node>} vars
 * @returns {Child[]}
 */
export function fillNodes(text, vars) {
  /** @type {Child[]} */
  const out = [];
  let last = 0;
  for (const m of text.matchAll(/\{(\w+)\}/g)) {
    const key = /** @type {string} */ (m[1]);
    if (!(key in vars)) continue;
    out.push(text.slice(last, m.index));
    const value = vars[key];
    out.push(value instanceof Node ? value : h('bdi', {}, String(value)));
    last = (m.index ?? 0) + m[0].length;
  }
  out.push(text.slice(last));
  return out;
}

let idCounter = 0;
/** @param {string} prefix */
export function uid(prefix) {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

/**
 * Moves focus to an element that is not normally focusable (a heading or an alert), for screen
 * readers after a step change or an error.
 * @param {HTMLElement | null} el
 */
export function focusTarget(el) {
  if (!el) return;
  if (!el.hasAttribute('tabindex')) el.setAttribute('tabindex', '-1');
  el.focus({ preventScroll: false });
}

/**
 * Fills a page's top bar: the brand line (a name and, smaller, what it is about) and what follows it
 * (navigation, the language switch, the signed-in person).
 * @param {Element} topbar
 * @param {Child} name
 * @param {Child} sub
 * @param {...Child} rest
 */
export function fillTopbar(topbar, name, sub, ...rest) {
  replace(
    topbar,
    h(
      'div',
      { class: 'topbar-inner' },
      h('p', { class: 'brand' }, name, sub ? h('span', { class: 'brand-branch' }, sub) : null),
      ...rest,
    ),
  );
}
