import { api } from './api.js';
import { fill } from './dom.js';

/** The patient page's state: the link, the page's JSON (view), what the patient typed, the texts. */

/** @import { IntakeView, Locale, Localized, Question, UiTexts } from './api-types.js' */
/** @import { SignatureField, SignatureState } from './signature.js' */
/** @typedef {'about' | 'medical' | 'areas' | 'result' | 'done'} Step */
/** @typedef {'about' | 'medical' | 'areas'} FormStep */
/**
 * What localStorage holds between visits (intake-progress.js); read back defensively.
 * @typedef {{v: number, savedAt?: string, expiresAt?: string | null, locale?: string, step?: string,
 *   answers?: Record<string, unknown>, risks?: Record<string, boolean>, declarations?: Record<string, boolean>,
 *   sign?: Partial<SignatureState>}} SavedProgress
 */

/** @type {readonly FormStep[]} */
export const FORM_STEPS = ['about', 'medical', 'areas'];
/** The steps the progress bar shows ('done' shows as the last). @type {readonly Step[]} */
export const ALL_STEPS = ['about', 'medical', 'areas', 'result'];

export const app = /** @type {HTMLElement} */ (document.getElementById('app'));
export const topbar = /** @type {HTMLElement} */ (document.getElementById('topbar'));
export const announcer = /** @type {HTMLElement} */ (document.getElementById('announcer'));
// The page lives at …/intake/{token}; its API calls go to the same path (whatever prefix it is served under).
const pathParts = location.pathname.split('/');
export const token = decodeURIComponent(pathParts[pathParts.lastIndexOf('intake') + 1] ?? '');
export const base = pathParts.slice(0, pathParts.lastIndexOf('intake') + 2).join('/');

/** @type {UiTexts} */
export let UI = { en: {}, ar: {} };
/** The page's JSON (GET /intake/{token}); null before it loads and after a fatal error. @type {IntakeView | null} */
export let view = null;
export let storeKey = '';

export const state = {
  /** @type {Locale} */
  locale: document.documentElement.lang === 'ar' ? 'ar' : 'en',
  /** @type {Step} */
  step: 'about',
  /** @type {Record<string, unknown>} */
  answers: {},
  /** Risk ids the patient ticked. @type {Record<string, boolean>} */
  risks: {},
  /** Declaration ids the patient ticked. @type {Record<string, boolean>} */
  declarations: {},
  /** @type {SignatureState} */
  sign: { mode: 'draw', typedName: '', drawn: null },
  /** Field id → message, shown beside the field. @type {Record<string, string>} */
  errors: {},
  /** A message for the whole page (409, network …). @type {{kind: 'error' | 'info', text: string} | null} */
  banner: null,
  busy: false,
  /** Set once the patient signed in this visit (shows the confirmation). */
  justSigned: false,
};

/** @type {SignatureField | null} */
export let signatureField = null;

// ------------------------------------------------------------------ texts

/**
 * @param {string} key
 * @param {Record<string, string | number>} [vars]
 */
export function t(key, vars) {
  const text = UI[state.locale]?.[key] ?? UI.en[key] ?? key;
  return vars ? fill(text, vars) : text;
}

/** @param {Localized | undefined} text */
export function L(text) {
  return text ? text[state.locale] : '';
}

/** @returns {Question[]} */
export function questions() {
  return view?.form?.questions ?? [];
}

/**
 * Which step asks a question: dates on "about you", choices of areas/concerns on the third step,
 * every other (yes/no and details) on the medical step. Driven by the template's question types.
 * @param {Question} q
 * @returns {FormStep}
 */
export function stepOf(q) {
  if (q.type === 'date') return 'about';
  if (q.type === 'multi') return 'areas';
  return 'medical';
}

/** @param {Step} step */
export function questionsOf(step) {
  return questions().filter((q) => stepOf(q) === step);
}

/** @param {string} questionId */
export function fieldId(questionId) {
  return `q-${questionId}`;
}

// ------------------------------------------------------------------ start

/** @returns {Promise<IntakeView>} */
export async function loadView() {
  return /** @type {IntakeView} */ (await api(base));
}

/**
 * Where to open the page: the server's state decides; saved progress only picks among the form steps.
 * @param {IntakeView} v
 * @param {SavedProgress | null} saved
 * @returns {Step}
 */
export function stepFor(v, saved) {
  const status = v.invite.status;
  if (['awaiting_countersign', 'countersigned', 'declined'].includes(status)) return 'done';
  const savedStep = FORM_STEPS.find((s) => s === saved?.step) ?? null;
  if (status === 'answered') {
    if (v.invite.outcome === 'ineligible') return 'result';
    return savedStep ?? 'result';
  }
  return savedStep ?? 'about';
}

/** @param {UiTexts} next */
export function setUi(next) {
  UI = next;
}

/** @param {IntakeView | null} next */
export function setView(next) {
  view = next;
}

/** @param {string} next */
export function setStoreKey(next) {
  storeKey = next;
}

/** @param {SignatureField | null} next */
export function setSignatureField(next) {
  signatureField = next;
}

/** The page's JSON, for the steps: they are drawn only once it has loaded. */
export function loadedView() {
  if (!view) throw new Error('The page has not loaded yet.');
  return view;
}

/** @type {() => void} */
let renderer = () => {};

/** Registers the function that draws the page (intake.js), so modules can redraw without importing it. */
export function setRenderer(/** @type {() => void} */ fn) {
  renderer = fn;
}

/** Redraws the page from `state` and `view`. */
export function render() {
  renderer();
}
