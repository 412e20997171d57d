import { h, uid } from './dom.js';
import SignaturePad from './signature_pad.min.js';

/**
 * A signature field: draw it (signature_pad on a canvas, exported as PNG) or type the full name.
 * Typing is the keyboard- and screen-reader-friendly way; both produce the API's `signature` object.
 * signature_pad is its package's ES module build, vendored unmodified (signature_pad.min.js).
 */

/** @import { PointGroup } from './signature_pad.min.js' */

/**
 * @typedef {{method: string, draw: string, type: string, canvas: string, canvasHint: string, clear: string,
 *   typedLabel: string, typedHint: string}} SignatureTexts
 * @typedef {{mode: 'draw' | 'type', typedName: string, drawn: PointGroup[] | null}} SignatureState
 * @typedef {{kind: 'drawn', pngBase64: string} | {kind: 'typed', name: string}} SignatureValue
 * @typedef {ReturnType<typeof createSignatureField>} SignatureField
 */

/** The API's limits for a drawn signature (functions/workflow/signature.ts). */
const MAX_WIDTH = 2400;
const MAX_HEIGHT = 1200;

/**
 * @param {{texts: SignatureTexts, initial?: Partial<SignatureState>, onChange?: (s: SignatureState) => void,
 *   autocompleteName?: string}} opts
 */
export function createSignatureField(opts) {
  const { texts } = opts;
  const id = uid('sig');
  /** @type {SignatureState} */
  const state = {
    mode: opts.initial?.mode === 'type' ? 'type' : 'draw',
    typedName: opts.initial?.typedName ?? '',
    drawn: opts.initial?.drawn ?? null,
  };
  const changed = () => opts.onChange?.({ ...state });

  const errorEl = h('p', { class: 'field-error', id: `${id}-error`, hidden: true });
  const hintId = `${id}-hint`;
  const canvas = /** @type {HTMLCanvasElement} */ (
    h('canvas', {
      class: 'signature-canvas',
      role: 'img',
      'aria-label': texts.canvas,
      'aria-describedby': hintId,
    })
  );
  const clearButton = h(
    'button',
    { type: 'button', class: 'button button-secondary', onclick: () => clearDrawing() },
    texts.clear,
  );
  const drawPanel = h(
    'div',
    { class: 'signature-draw', hidden: state.mode !== 'draw' },
    h('p', { class: 'hint', id: hintId }, texts.canvasHint),
    h('div', { class: 'signature-frame' }, canvas),
    h('div', { class: 'signature-actions' }, clearButton),
  );
  const typedInput = /** @type {HTMLInputElement} */ (
    h('input', {
      type: 'text',
      id: `${id}-typed`,
      class: 'input signature-typed',
      autocomplete: opts.autocompleteName ?? 'name',
      maxlength: 120,
      'aria-describedby': `${id}-typed-hint`,
      value: state.typedName,
      oninput: () => {
        state.typedName = typedInput.value;
        changed();
      },
    })
  );
  const typePanel = h(
    'div',
    { class: 'signature-type field', hidden: state.mode !== 'type' },
    h('label', { for: `${id}-typed`, class: 'label' }, texts.typedLabel),
    h('p', { class: 'hint', id: `${id}-typed-hint` }, texts.typedHint),
    typedInput,
  );

  /** @param {'draw' | 'type'} mode @param {string} label */
  const modeRadio = (mode, label) =>
    h(
      'label',
      { class: 'choice' },
      h('input', {
        type: 'radio',
        name: `${id}-mode`,
        value: mode,
        checked: state.mode === mode,
        onchange: () => setMode(mode),
      }),
      h('span', {}, label),
    );
  const element = h(
    'div',
    { class: 'signature-field' },
    h('fieldset', { class: 'choices choices-inline' }, h('legend', { class: 'label' }, texts.method), [
      modeRadio('draw', texts.draw),
      modeRadio('type', texts.type),
    ]),
    drawPanel,
    typePanel,
    errorEl,
  );

  const pad = new SignaturePad(canvas, { penColor: '#0b1f44', minWidth: 0.8, maxWidth: 2.6 });
  pad.addEventListener('endStroke', () => {
    state.drawn = pad.toData();
    changed();
    if (!pad.isEmpty()) showError(null);
  });

  let lastWidth = 0;
  /** Sizes the canvas to its CSS box at the screen's density (within the API's limits) and redraws. */
  const fitCanvas = () => {
    const w = canvas.clientWidth;
    const ht = canvas.clientHeight;
    if (!w || !ht || w === lastWidth) return;
    lastWidth = w;
    const ratio = Math.max(1, Math.min(window.devicePixelRatio || 1, 3, MAX_WIDTH / w, MAX_HEIGHT / ht));
    canvas.width = Math.floor(w * ratio);
    canvas.height = Math.floor(ht * ratio);
    canvas.getContext('2d')?.scale(ratio, ratio);
    pad.clear();
    if (state.drawn?.length) pad.fromData(state.drawn);
  };
  const observer = new ResizeObserver(() => fitCanvas());
  observer.observe(canvas);

  function clearDrawing() {
    pad.clear();
    state.drawn = null;
    changed();
  }

  /** @param {'draw' | 'type'} mode */
  function setMode(mode) {
    state.mode = mode;
    drawPanel.hidden = mode !== 'draw';
    typePanel.hidden = mode !== 'type';
    showError(null);
    changed();
    if (mode === 'draw') requestAnimationFrame(fitCanvas);
  }

  /** @param {string | null} message */
  function showError(message) {
    errorEl.hidden = !message;
    errorEl.textContent = message ?? '';
    // aria-invalid only where ARIA allows it (a text box); the canvas (role img) just points at the message.
    typedInput.removeAttribute('aria-invalid');
    canvas.setAttribute(
      'aria-describedby',
      message && state.mode === 'draw' ? `${hintId} ${errorEl.id}` : hintId,
    );
    typedInput.setAttribute(
      'aria-describedby',
      message && state.mode === 'type' ? `${id}-typed-hint ${errorEl.id}` : `${id}-typed-hint`,
    );
    if (message && state.mode === 'type') typedInput.setAttribute('aria-invalid', 'true');
  }

  return {
    element,
    errorId: errorEl.id,
    /** @returns {SignatureValue | null} */
    value() {
      if (state.mode === 'type') {
        const name = state.typedName.trim();
        return name ? { kind: 'typed', name } : null;
      }
      if (pad.isEmpty()) return null;
      return { kind: 'drawn', pngBase64: pad.toDataURL('image/png').replace(/^data:image\/png;base64,/, '') };
    },
    /** The mode's empty-value message key: 'signature' (nothing drawn) or 'typedName'. */
    missingKind() {
      return state.mode === 'type' ? 'typedName' : 'signature';
    },
    showError,
    focus() {
      if (state.mode === 'type') typedInput.focus();
      else {
        const checked = /** @type {HTMLInputElement | null} */ (
          element.querySelector('input[type=radio]:checked')
        );
        checked?.focus();
      }
    },
    destroy() {
      observer.disconnect();
      pad.off();
    },
  };
}
