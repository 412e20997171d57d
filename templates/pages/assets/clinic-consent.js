import { downloadPdf, errorText, staffApi, template } from './clinic-api.js';
import { countersignForms } from './clinic-countersign.js';
import {
  answerText,
  findingName,
  kv,
  outcomeBadge,
  SEVERITY_LABELS,
  SEVERITY_ORDER,
  signatureText,
  statusBadge,
  when,
} from './clinic-format.js';
import { bannerNode, field, show, showLoading } from './clinic-frame.js';
import { hasRole, session } from './clinic-session.js';
import { h } from './dom.js';

/** @import { ConsentDetail, TreatmentLabels } from './api-types.js' */

/** #/consents/<id>: one record (findings, answers, risks, audit trail) and the doctor's actions. */

/** @param {string} consentId */
export async function viewConsent(consentId) {
  showLoading('Consent');
  /** @type {ConsentDetail} */
  let d;
  /** @type {TreatmentLabels} */
  let tpl;
  try {
    d = /** @type {ConsentDetail} */ (await staffApi(`/clinic/consents/${encodeURIComponent(consentId)}`));
    tpl = await template(d.treatmentId);
  } catch (err) {
    if (session) show('Consent', bannerNode({ kind: 'error', text: errorText(err) }));
    return;
  }
  const canAct = hasRole('doctor') && d.status === 'awaiting_countersign';
  const findings = d.screening?.findings ?? [];
  /** @type {Record<string, HTMLTextAreaElement>} */
  const notes = {};

  const findingsSection = h(
    'section',
    { 'aria-labelledby': 'findings-heading' },
    h('h2', { id: 'findings-heading' }, 'Screening findings'),
    findings.length
      ? SEVERITY_ORDER.map((sev) => {
          const group = findings.filter((f) => f.severity === sev);
          if (!group.length) return null;
          return h(
            'div',
            {},
            h('h3', {}, `${SEVERITY_LABELS[/** @type {keyof SEVERITY_LABELS} */ (sev)]} (${group.length})`),
            group.map((f) => {
              const rule = tpl.rules.find((/** @type {{id: string}} */ r) => r.id === f.ruleId);
              const id = `note-${f.ruleId}`;
              const required = f.severity === 'review';
              const saved = d.findingNotes?.[f.ruleId];
              let noteField = null;
              if (canAct) {
                const ta = /** @type {HTMLTextAreaElement} */ (
                  h('textarea', {
                    class: 'input',
                    id,
                    rows: 2,
                    maxlength: 2000,
                    required,
                    'aria-required': required ? 'true' : null,
                  })
                );
                notes[f.ruleId] = ta;
                noteField = field({
                  id,
                  label: required ? 'Your note (required)' : 'Your note (optional)',
                  input: ta,
                  hint: required ? 'Record what you checked or agreed with the patient.' : undefined,
                });
              } else if (saved) {
                noteField = h('p', {}, h('strong', {}, 'Doctor’s note: '), saved);
              }
              return h(
                'div',
                { class: `finding finding-${f.severity}` },
                h(
                  'h4',
                  {},
                  findingName(tpl, f.ruleId),
                  ' ',
                  h(
                    'span',
                    { class: `badge badge-${f.severity}` },
                    SEVERITY_LABELS[/** @type {keyof SEVERITY_LABELS} */ (f.severity)],
                  ),
                ),
                h('p', {}, rule ? rule.message.en : f.message),
                noteField,
              );
            }),
          );
        })
      : h('p', {}, 'No findings: every answer screened eligible.'),
  );

  const answers = d.answers;
  const answersSection = h(
    'section',
    { 'aria-labelledby': 'answers-heading' },
    h('h2', { id: 'answers-heading' }, 'Answers'),
    answers
      ? h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'table answers' },
            h('caption', { class: 'visually-hidden' }, "The patient's answers"),
            h(
              'thead',
              {},
              h('tr', {}, h('th', { scope: 'col' }, 'Question'), h('th', { scope: 'col' }, 'Answer')),
            ),
            h(
              'tbody',
              {},
              tpl.questions
                .filter((q) => answers[q.id] !== undefined)
                .map((q) =>
                  h(
                    'tr',
                    { class: answers[q.id] === true ? 'is-yes' : null },
                    h('th', { scope: 'row' }, q.label.en),
                    h('td', {}, answerText(q, answers[q.id])),
                  ),
                ),
            ),
          ),
        )
      : h('p', {}, 'The patient has not answered yet.'),
  );

  const risksSection = d.risks?.length
    ? h(
        'section',
        { 'aria-labelledby': 'risks-heading' },
        h('h2', { id: 'risks-heading' }, 'Risks in the consent'),
        h(
          'ul',
          {},
          d.risks.map((/** @type {{id: string, title: string}} */ r) =>
            h(
              'li',
              {},
              r.title,
              d.acknowledgedRiskIds.includes(r.id) ? ' — acknowledged by the patient' : '',
            ),
          ),
        ),
      )
    : null;

  const side = h(
    'aside',
    { 'aria-labelledby': 'record-heading' },
    h(
      'section',
      { class: 'card' },
      h('h2', { id: 'record-heading' }, 'Record'),
      h(
        'dl',
        { class: 'kv' },
        kv('Status', statusBadge(d.status)),
        kv('Screening', outcomeBadge(d.outcome) ?? '—'),
        kv('E-mail', d.patient.email),
        kv('Phone', d.patient.phone ? h('bdi', { dir: 'ltr' }, d.patient.phone) : '—'),
        kv('Language', d.locale === 'ar' ? 'Arabic' : 'English'),
        kv('Branch', d.branch?.name ?? d.branchId),
        kv('Invited', when(d.createdAt)),
        kv('Patient signed', signatureText(d.signatures.patient)),
        kv(
          'Countersigned',
          d.signatures.doctor
            ? `${signatureText(d.signatures.doctor)} by ${d.signatures.doctor.doctorName}`
            : '—',
        ),
        d.declineReason ? kv('Declined', d.declineReason) : null,
        d.pdfSha256 ? kv('PDF SHA-256', h('code', {}, d.pdfSha256)) : null,
      ),
      d.pdfSha256
        ? h(
            'button',
            {
              type: 'button',
              class: 'button button-secondary',
              id: 'download-pdf',
              onclick: () => downloadPdf(d.consentId, d.patientName),
            },
            'Download PDF',
          )
        : null,
    ),
    h(
      'details',
      { class: 'card' },
      h('summary', {}, `Audit trail (${d.events.length} ${d.events.length === 1 ? 'event' : 'events'})`),
      h(
        'ol',
        {},
        d.events.map((ev) =>
          h('li', {}, `${when(ev.at)} — ${String(ev.type).replace(/_/g, ' ')} (${actorLabel(ev.actor)})`),
        ),
      ),
    ),
  );

  // The doctor's actions sit under the record's identity, in view while reading findings and answers.
  if (canAct)
    side.firstElementChild?.after(...countersignForms(d, findings, notes, () => viewConsent(d.consentId)));
  show(
    d.patientName,
    h(
      'p',
      { class: 'meta' },
      statusBadge(d.status),
      ' ',
      outcomeBadge(d.outcome),
      ` · ${tpl.title.en} · consent ${d.consentId}`,
    ),
    h('div', { class: 'detail-grid' }, h('div', {}, findingsSection, answersSection, risksSection), side),
  );
}

/**
 * Who acted, as the audit trail recorded them: the staff member's name (and a doctor's licence), else
 * the kind of actor (patient, system).
 * @param {{ kind: string, name?: string, licence?: string } | undefined} actor
 */
function actorLabel(actor) {
  if (!actor) return '';
  if (actor.name) return actor.licence ? `${actor.name}, licence ${actor.licence}` : actor.name;
  return actor.kind;
}
