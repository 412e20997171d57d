import { h } from './dom.js';

/** @import { Question, SignatureView, TreatmentLabels } from './api-types.js' */
/** @import { Child } from './dom.js' */

/** Labels, dates and badges: how the dashboard shows statuses, outcomes, findings and answers. */

export const STATUS_LABELS = {
  invited: 'Invited',
  answered: 'Answered',
  awaiting_countersign: 'Awaiting countersignature',
  countersigned: 'Countersigned',
  declined: 'Declined',
};
const OUTCOME_LABELS = { eligible: 'Eligible', needs_review: 'Needs review', ineligible: 'Ineligible' };
export const SEVERITY_LABELS = {
  contraindicated: 'Contraindicated',
  review: 'Needs review',
  advisory: 'Advisory',
};
export const SEVERITY_ORDER = ['contraindicated', 'review', 'advisory'];

const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
const dateOnly = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium' });

/** @param {string | null | undefined} iso */
export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : dateTime.format(d);
}

/** @param {string} status */
export function statusBadge(status) {
  return h(
    'span',
    { class: `badge badge-${status}` },
    STATUS_LABELS[/** @type {keyof STATUS_LABELS} */ (status)] ?? status,
  );
}

/** @param {string | null} outcome */
export function outcomeBadge(outcome) {
  if (!outcome) return null;
  return h(
    'span',
    { class: `badge badge-${outcome}` },
    OUTCOME_LABELS[/** @type {keyof OUTCOME_LABELS} */ (outcome)] ?? outcome,
  );
}

/**
 * A short name for a screening finding: the part of the rule's message before the colon
 * ("Takes blood thinners (including aspirin)"), or the rule id.
 * @param {TreatmentLabels | undefined} tpl
 * @param {string} ruleId
 */
export function findingName(tpl, ruleId) {
  const rule = tpl?.rules?.find((r) => r.id === ruleId);
  return rule ? String(rule.message.en).split(':')[0] : ruleId;
}

/**
 * @param {string} label
 * @param {Child | Child[]} value
 */
export function kv(label, value) {
  return [h('dt', {}, label), h('dd', {}, value)];
}

/** @param {SignatureView | null} s */
export function signatureText(s) {
  if (!s) return '—';
  return `${when(s.signedAt)} (${s.kind === 'typed' ? `typed: ${s.typedName}` : 'drawn'})`;
}

/**
 * @param {Question} q
 * @param {unknown} value
 */
export function answerText(q, value) {
  if (q.type === 'boolean') return value === true ? h('strong', {}, 'Yes') : 'No';
  if (q.type === 'multi' && Array.isArray(value)) {
    return value.map((v) => q.options?.find((o) => o.id === v)?.label.en ?? v).join(', ');
  }
  if (q.type === 'date' && typeof value === 'string') {
    const d = new Date(`${value}T00:00:00Z`);
    const age = Math.floor((Date.now() - d.getTime()) / (365.2425 * 24 * 3600 * 1000));
    return Number.isNaN(d.getTime()) ? value : `${dateOnly.format(d)} (age ${age})`;
  }
  return h('bdi', {}, String(value ?? ''));
}
