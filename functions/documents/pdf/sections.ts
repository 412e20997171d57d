import type { Localized, Question } from '../../domain/template';
import { localDate, localStamp, utcStamp } from '../../domain/time';
import { FREQUENCY_KEY, type LabelKey, ltr, OUTCOME_KEY, SEVERITY_KEY } from './labels';
import type { Direction } from './layout';
import { issuedAt, type SectionContext } from './section-context';
import { countersignature, patientSignature } from './signature-block';
import {
  ACCENT,
  BODY,
  CONTENT_W,
  DANGER,
  HEADER_HALF_W,
  HEADER_LABEL_W,
  MUTED,
  OK,
  PAGE_H,
  PANEL,
  PATIENT_NAME_BOXES,
  SEVERITY_COLOUR,
  SMALL,
} from './style';

/** The sections of one language, in the order CLINICAL.md lists them. */
export function renderSections(s: SectionContext): void {
  header(s);
  treatment(s);
  risks(s);
  care(s);
  screening(s);
  declarations(s);
  patientSignature(s);
  countersignature(s);
}

function header(s: SectionContext): void {
  const { out, t, doc } = s;
  const branch = doc.clinic.branch;
  out.paragraph(doc.clinic.name, { size: 15, weight: 'bold', color: ACCENT, gapAfter: 1 });
  const contact = [
    `${t('branch')}: ${branch.name}`,
    `${t('phone')}: ${ltr(branch.phone)}`,
    `${t('whatsapp')}: ${ltr(branch.whatsapp)}`,
  ].join('  ·  ');
  out.paragraph(contact, { size: SMALL + 0.5, color: MUTED, gapAfter: 6 });
  out.rule(0, CONTENT_W, ACCENT);
  out.y += 8;
  out.paragraph(`${t('documentTitle')}: ${s.l(doc.template.title)}`, {
    size: 14,
    weight: 'bold',
    gapAfter: 1,
  });
  out.paragraph(doc.kind === 'countersigned' ? t('statusCountersigned') : t('statusPatientSigned'), {
    size: SMALL + 0.5,
    color: MUTED,
    gapAfter: 8,
  });

  const half = HEADER_HALF_W;
  const columnTitle = (text: string, offset: number) =>
    out.paragraph(text, { offset, width: half, size: BODY, weight: 'bold', color: ACCENT, gapAfter: 2 });
  const top = out.y;
  columnTitle(t('sectionDocument'), 0);
  out.fields(
    [
      { label: t('documentId'), value: doc.documentId, valueDirection: 'ltr' },
      {
        label: t('template'),
        value: t('templateVersion', { id: ltr(doc.template.id), version: ltr(doc.template.version) }),
      },
      { label: t('issueDate'), value: localDate(issuedAt(doc), s.zone), valueDirection: 'ltr' },
      { label: t('treatment'), value: s.l(doc.template.title) },
    ],
    { width: half, labelWidth: HEADER_LABEL_W, flow: false },
  );
  const leftBottom = out.y;
  out.y = top;
  columnTitle(t('sectionPatient'), half + 20);
  out.fields(
    [
      {
        label: t('patientName'),
        value: doc.patient.fullName,
        valueDirection: s.auto(doc.patient.fullName),
        maxLines: PATIENT_NAME_BOXES.header.maxLines,
      },
      { label: t('dateOfBirth'), value: doc.patient.dateOfBirth, valueDirection: 'ltr' },
      { label: t('email'), value: doc.patient.email, valueDirection: 'ltr', maxLines: 2 },
      ...(doc.patient.phone
        ? [
            {
              label: t('patientPhone'),
              value: doc.patient.phone,
              valueDirection: 'ltr' as const,
              maxLines: 1,
            },
          ]
        : []),
    ],
    { offset: half + 20, width: half, labelWidth: HEADER_LABEL_W, flow: false },
  );
  out.y = Math.max(out.y, leftBottom) + 6;
  const choices = doc.template.questions
    .filter((q): q is Extract<Question, { type: 'multi' }> => q.type === 'multi')
    .map((q) => ({ label: s.l(q.label), value: answerText(s, q) }));
  if (choices.length) out.fields(choices, { labelWidth: 170 });
}

function treatment(s: SectionContext): void {
  const { out, t, doc } = s;
  const c = doc.template.consent;
  out.heading(t('sectionTreatment'));
  const parts: Array<[LabelKey, Localized]> = [
    ['procedure', c.procedure],
    ['course', c.course],
    ['results', c.results],
    ['alternatives', c.alternatives],
    ['rightToRefuse', c.rightToRefuse],
  ];
  for (const [key, text] of parts) {
    out.subheading(t(key));
    out.paragraph(s.l(text), { gapAfter: 6 });
  }
}

function risks(s: SectionContext): void {
  const { out, t, doc } = s;
  out.heading(t('sectionRisks'));
  out.paragraph(t('risksIntro'), { color: MUTED, gapAfter: 6 });
  const acknowledged = new Set(doc.acknowledgedRiskIds);
  const applicable = new Set(doc.riskIds);
  const ackWidth = 150;
  for (const risk of doc.template.risks.filter((r) => applicable.has(r.id))) {
    const ok = acknowledged.has(risk.id);
    const title = out.layout(s.l(risk.title), CONTENT_W - ackWidth - 70, { weight: 'bold', size: 10 });
    const freq = out.layout(t(FREQUENCY_KEY[risk.frequency]), 60, { size: SMALL, color: MUTED });
    const mark = out.layout(ok ? t('acknowledged') : t('notAcknowledged'), ackWidth - 12, { size: SMALL });
    const description = out.layout(s.l(risk.description), CONTENT_W);
    const titleHeight = title.lines.length * out.lineHeight(title);
    out.ensure(titleHeight + out.lineHeight(description) + 4);
    const top = out.y;
    const titleWidth = Math.max(...title.lines.map((l) => l.width));
    // The acknowledgement sits at the reading-end edge of the title line.
    const markWidth = Math.max(...mark.lines.map((l) => l.width), 0);
    out.checkbox(CONTENT_W - markWidth - 12, top + 1, ok, ok ? OK : DANGER);
    out.row(
      [
        { layout: title, offset: 0, width: CONTENT_W - ackWidth - 70 },
        { layout: freq, offset: titleWidth + 8, width: 60, color: MUTED },
        { layout: mark, offset: CONTENT_W - markWidth, width: markWidth + 1, color: ok ? OK : DANGER },
      ],
      top,
    );
    out.y = top + titleHeight;
    out.paragraph(s.l(risk.description), { gapAfter: 7 });
  }
}

function care(s: SectionContext): void {
  const { out, t, doc } = s;
  out.heading(t('sectionCare'));
  out.subheading(t('careBefore'));
  out.bullets(doc.template.care.before.map((c) => s.l(c)));
  out.subheading(t('careAfter'));
  out.bullets(doc.template.care.after.map((c) => s.l(c)));
}

function answerText(s: SectionContext, q: Question): string {
  const { t } = s;
  const answer = s.doc.answers[q.id];
  if (answer === undefined || answer === '' || (Array.isArray(answer) && answer.length === 0)) {
    return t('notAnswered');
  }
  switch (q.type) {
    case 'boolean':
      return answer === true ? t('yes') : answer === false ? t('no') : String(answer);
    case 'multi': {
      const chosen = Array.isArray(answer) ? answer : [String(answer)];
      const labels = chosen.map((id) => {
        const option = q.options.find((o) => o.id === id);
        return option ? s.l(option.label) : id;
      });
      return labels.join(s.locale === 'ar' ? '، ' : ', ');
    }
    case 'date':
      return ltr(String(answer));
    default:
      return Array.isArray(answer) ? answer.join(', ') : String(answer);
  }
}

function screening(s: SectionContext): void {
  const { out, t, doc } = s;
  out.heading(t('sectionScreening'));
  out.subheading(t('screeningAnswers'));
  const rows = doc.template.questions
    .filter((q) => {
      // A follow-up text question is shown only when it applies (its trigger was answered yes) or answered.
      if (q.type !== 'text' || !q.requiredWhen) return true;
      return doc.answers[q.requiredWhen] === true || Boolean(doc.answers[q.id]);
    })
    .map((q) => {
      const value = answerText(s, q);
      return { label: s.l(q.label), value, direction: q.type === 'text' ? s.auto(value) : out.dir };
    });
  answerTable(s, rows);

  out.subheading(t('findings'));
  if (doc.screening.findings.length === 0) out.paragraph(t('noFindings'), { gapAfter: 6 });
  for (const finding of doc.screening.findings) {
    const tag = t(SEVERITY_KEY[finding.severity]);
    out.paragraph(tag, {
      size: SMALL + 0.5,
      weight: 'bold',
      color: SEVERITY_COLOUR[finding.severity],
      gapAfter: 0,
    });
    out.paragraph(s.findingMessage(finding), { gapAfter: 5 });
  }
  out.fields([
    { label: t('outcome'), value: t(OUTCOME_KEY[doc.screening.outcome]) },
    {
      label: t('screenedAt'),
      value: `${ltr(utcStamp(doc.screening.screenedAt))}  ·  ${ltr(`${localStamp(doc.screening.screenedAt, s.zone)} ${s.zone}`)}`,
    },
  ]);
}

/** Question | answer, with a light rule between rows. */
function answerTable(
  s: SectionContext,
  rows: Array<{ label: string; value: string; direction: Direction }>,
): void {
  const { out } = s;
  const questionWidth = 330;
  const gap = 12;
  const answerWidth = CONTENT_W - questionWidth - gap;
  rows.forEach((row, i) => {
    const q = out.layout(row.label, questionWidth - 4, { size: SMALL + 0.5 });
    const a = out.layout(row.value, answerWidth - 4, {
      weight: 'bold',
      size: SMALL + 0.5,
      direction: row.direction,
    });
    const height = Math.max(q.lines.length * out.lineHeight(q), a.lines.length * out.lineHeight(a)) + 3;
    out.ensure(height);
    if (i % 2 === 0) {
      out.canvas.rect(out.x(0, CONTENT_W), PAGE_H - out.y - height, CONTENT_W, height, { fill: PANEL });
    }
    out.row(
      [
        { layout: q, offset: 4, width: questionWidth - 4 },
        { layout: a, offset: questionWidth + gap, width: answerWidth - 4 },
      ],
      out.y + 1.5,
    );
    out.y += height;
  });
  out.y += 8;
}

function declarations(s: SectionContext): void {
  const { out, t, doc } = s;
  out.heading(t('sectionDeclarations'));
  const items = [
    ...doc.template.declarations.map((d) => ({
      title: undefined as string | undefined,
      text: s.l(d.text),
    })),
    { title: t('electronicRecords'), text: s.l(doc.template.consent.electronicRecords) },
  ];
  for (const item of items) {
    const body = out.layout(item.text, CONTENT_W - 110);
    out.ensure(out.lineHeight(body) * Math.min(body.lines.length, 3) + 4);
    const top = out.y;
    if (item.title) out.paragraph(item.title, { weight: 'bold', width: CONTENT_W - 110, gapAfter: 1 });
    out.paragraph(item.text, { width: CONTENT_W - 110, gapAfter: 0 });
    const agreed = out.layout(t('agreed'), 90, { size: SMALL, weight: 'bold' });
    const w = Math.max(...agreed.lines.map((l) => l.width), 0);
    out.checkbox(CONTENT_W - w - 12, top, true, OK);
    out.drawAt(agreed, CONTENT_W - w, w + 1, top + 0.5, OK);
    out.y += 6;
  }
}
