import { fieldId, questions, questionsOf, state, t } from './intake-state.js';

/** @import { Question } from './api-types.js' */
/** @import { Step } from './intake-state.js' */

/** The page's own checks of each answer (mirroring the server's schema) and the answers payload. */

// ------------------------------------------------------------------ validation

export const TODAY = new Date(Date.now() - new Date().getTimezoneOffset() * 60_000)
  .toISOString()
  .slice(0, 10);

/**
 * The message key for a question's current answer, or null when it is fine (mirrors the server's schema).
 * @param {Question} q
 */
export function checkQuestion(q) {
  const v = state.answers[q.id];
  switch (q.type) {
    case 'date': {
      if (typeof v !== 'string' || !v) return 'error.date';
      const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(v);
      if (!m) return 'error.dateInvalid';
      const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
      if (d.getUTCDate() !== Number(m[3]) || Number(m[1]) < 1900 || v > TODAY) return 'error.dateInvalid';
      return null;
    }
    case 'boolean':
      return typeof v === 'boolean' ? null : 'error.yesNo';
    case 'text': {
      if (q.requiredWhen && state.answers[q.requiredWhen] !== true) return null;
      const text = typeof v === 'string' ? v.trim() : '';
      if (q.requiredWhen && !text) return 'error.details';
      if (q.maxLength && text.length > q.maxLength) return 'error.tooLong';
      return null;
    }
    case 'multi':
      return Array.isArray(v) && v.length >= (q.minItems ?? 1) ? null : 'error.chooseOne';
  }
  return null;
}

/**
 * The message for a server issue on a question: the client's own check if it sees the problem, else
 * the usual message for that kind of question (server messages are English-only and technical).
 * @param {Question} q
 */
export function serverIssueMessage(q) {
  const own = checkQuestion(q);
  if (own) return t(own);
  if (q.type === 'date') return t('error.dateInvalid');
  if (q.type === 'boolean') return t('error.yesNo');
  if (q.type === 'multi') return t('error.chooseOne');
  return t(q.requiredWhen ? 'error.details' : 'error.invalid');
}

/** @param {Step} step */
export function validateStep(step) {
  /** @type {Record<string, string>} */
  const errors = {};
  for (const q of questionsOf(step)) {
    const key = checkQuestion(q);
    if (key) errors[fieldId(q.id)] = t(key);
  }
  return errors;
}

/** The answers object for the API: only answered questions; details only when their question is yes. */
export function answersPayload() {
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const q of questions()) {
    const v = state.answers[q.id];
    if (q.type === 'text') {
      if (q.requiredWhen && state.answers[q.requiredWhen] !== true) continue;
      if (typeof v === 'string' && v.trim()) out[q.id] = v.trim();
    } else if (q.type === 'multi') {
      if (Array.isArray(v) && v.length) out[q.id] = v;
    } else if (v !== undefined && v !== null && v !== '') {
      out[q.id] = v;
    }
  }
  return out;
}
