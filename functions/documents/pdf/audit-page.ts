import type { AuditEvent } from '../../domain/audit';
import type { Locale } from '../../domain/template';
import { localStamp, utcStamp } from '../../domain/time';
import type { ConsentDocument } from '../consent-document';
import type { FieldRow } from './compose';
import {
  ACTOR_KEY,
  CHANNEL_KEY,
  EVENT_KEY,
  type LabelKey,
  type Labels,
  LOCALE_KEY,
  labelsFor,
  ltr,
  MAIL_KEY,
  OUTCOME_KEY,
  SEVERITY_KEY,
  SIGNATURE_KEY,
} from './labels';
import type { ParagraphLayout } from './layout';
import type { Rgb } from './page-canvas';
import type { SectionContext } from './section-context';
import { ACCENT, CONTENT_W, INK, MUTED, PAGE_H, PANEL, SEVERITY_COLOUR, SMALL } from './style';

/**
 * The audit page (final version only): the document's identity and hashes, how the patient was
 * identified, the seal, every event with its times in UTC and clinic time, and the screening.
 */
export function renderAudit(
  s: SectionContext,
  audit: NonNullable<ConsentDocument['audit']>,
  secondLocale: Locale,
): void {
  const { out, t, doc } = s;
  const o = labelsFor(secondLocale);
  out.paragraph(`${t('sectionAudit')}: ${s.l(doc.template.title)}`, {
    size: 14,
    weight: 'bold',
    color: ACCENT,
    gapAfter: 0,
  });
  const second = `${o('sectionAudit')}: ${doc.template.title[secondLocale]}`;
  out.paragraph(second, {
    size: 10,
    weight: 'bold',
    color: ACCENT,
    direction: s.auto(second),
    gapAfter: 3,
  });
  out.paragraph(t('auditIntro'), { color: MUTED, size: SMALL + 0.5, gapAfter: 0 });
  out.paragraph(o('auditIntro'), {
    color: MUTED,
    size: 7.5,
    direction: s.auto(o('auditIntro')),
    gapAfter: 6,
  });
  out.rule(0, CONTENT_W, ACCENT);
  out.y += 6;
  const version = { id: ltr(doc.template.id), version: ltr(doc.template.version) };
  out.fields(
    [
      { label: t('documentId'), label2: o('documentId'), value: doc.documentId, valueDirection: 'ltr' },
      { label: t('template'), label2: o('template'), value: t('templateVersion', version) },
      {
        label: t('templateHash'),
        label2: o('templateHash'),
        value: doc.templateSha256,
        valueDirection: 'ltr',
        size: SMALL + 0.5,
      },
      {
        label: t('patientSignedHash'),
        label2: o('patientSignedHash'),
        value: audit.patientSignedSha256,
        valueDirection: 'ltr',
        size: SMALL + 0.5,
      },
      {
        label: t('identification'),
        label2: o('identification'),
        value: identificationText(t, s.locale, audit.identification),
        value2: identificationText(o, secondLocale, audit.identification),
      },
      { label: t('timeZone'), label2: o('timeZone'), value: s.zone, valueDirection: 'ltr' },
      {
        label: t('seal'),
        label2: o('seal'),
        value: sealText(t, audit.sealed, doc.verifyUrl),
        value2: sealText(o, audit.sealed, doc.verifyUrl),
      },
    ],
    { labelWidth: 170 },
  );
  out.y += 8;
  eventTable(s, audit.events, o);
  auditScreening(s, o);
}

/** The screening outcome and every finding with its severity and the doctor's note, in both languages. */
function auditScreening(s: SectionContext, o: Labels): void {
  const { out, t, doc } = s;
  out.heading(`${t('auditScreening')} · ${o('auditScreening')}`);
  const outcome = OUTCOME_KEY[doc.screening.outcome];
  const rows: FieldRow[] = [
    { label: t('outcome'), label2: o('outcome'), value: t(outcome), value2: o(outcome) },
  ];
  if (doc.screening.findings.length === 0) {
    rows.push({
      label: t('findings'),
      label2: o('findings'),
      value: t('noFindings'),
      value2: o('noFindings'),
    });
  }
  for (const finding of doc.screening.findings) {
    const severity = SEVERITY_KEY[finding.severity];
    const note = doc.findingNotes?.[finding.ruleId]?.trim();
    // The finding's text once, in the page's language (both languages are in the screening sections).
    rows.push(
      {
        label: t(severity),
        label2: o(severity),
        labelColor: SEVERITY_COLOUR[finding.severity],
        value: s.findingMessage(finding),
      },
      note
        ? {
            label: t('findingNote'),
            label2: o('findingNote'),
            value: note,
            valueDirection: s.auto(note),
          }
        : { label: t('findingNote'), label2: o('findingNote'), value: t('noNote'), value2: o('noNote') },
    );
  }
  out.fields(rows, { labelWidth: 170 });
}

function eventTable(s: SectionContext, events: AuditEvent[], o: Labels): void {
  const { out, t } = s;
  const size = 7.5;
  const zone = ltr(s.zone);
  const columns: Array<{ header: [string, string]; width: number }> = [
    { header: [t('columnEvent'), o('columnEvent')], width: 96 },
    { header: [t('columnUtc'), o('columnUtc')], width: 84 },
    { header: [t('columnLocal', { zone }), o('columnLocal', { zone })], width: 84 },
    { header: [t('columnActor'), o('columnActor')], width: 58 },
    { header: [t('columnIp'), o('columnIp')], width: 68 },
    { header: [t('columnUserAgent'), o('columnUserAgent')], width: CONTENT_W - 96 - 84 - 84 - 58 - 68 },
  ];
  const pad = 3;
  // A cell is one or more paragraphs stacked: the value, or a label in both languages.
  type Cell = Array<{ layout: ParagraphLayout; color: Rgb }>;
  const cellHeight = (cell: Cell) =>
    cell.reduce((h, p) => h + p.layout.lines.length * out.lineHeight(p.layout), 0);
  const rowHeight = (cells: Cell[]) => Math.max(...cells.map(cellHeight)) + 2 * pad;
  const drawRow = (cells: Cell[], fill?: Rgb) => {
    const height = rowHeight(cells);
    if (fill) out.canvas.rect(out.x(0, CONTENT_W), PAGE_H - out.y - height, CONTENT_W, height, { fill });
    let offset = 0;
    cells.forEach((cell, i) => {
      const width = columns[i]?.width ?? 0;
      let top = out.y + pad;
      for (const p of cell) top += out.drawAt(p.layout, offset + pad, width - 2 * pad, top, p.color);
      offset += width;
    });
    out.y += height;
    out.rule();
  };
  const inner = (i: number) => (columns[i]?.width ?? 0) - 2 * pad;
  const bilingual = (
    i: number,
    [first, second]: [string, string],
    weight: 'regular' | 'bold' = 'regular',
  ) => [
    { layout: out.layout(first, inner(i), { size, weight }), color: INK },
    { layout: out.otherLanguage(second, inner(i), 7), color: MUTED },
  ];
  const headerCells = columns.map((c, i) => bilingual(i, c.header, 'bold'));
  out.ensure(rowHeight(headerCells) + 30);
  drawRow(headerCells, PANEL);
  const sorted = [...events].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  for (const { event, count, lastAt } of summariseRepeats(sorted)) {
    const key: LabelKey | undefined = EVENT_KEY[event.type];
    let name: [string, string] = key ? [t(key), o(key)] : [String(event.type), String(event.type)];
    if (event.type === 'screening_result') {
      const outcomeKey = OUTCOME_KEY[event.data.outcome];
      name = [`${name[0]}: ${t(outcomeKey)}`, `${name[1]}: ${o(outcomeKey)}`];
    }
    const detail = eventDetail(event);
    if (detail) name = [`${name[0]}: ${detail(t)}`, `${name[1]}: ${detail(o)}`];
    if (count > 1) {
      const vars = { count, last: ltr(utcStamp(lastAt)) };
      name = [`${name[0]} (${t('eventRepeated', vars)})`, `${name[1]} (${o('eventRepeated', vars)})`];
    }
    const actor = ACTOR_KEY[event.actor.kind] ?? 'actorAnonymous';
    const data = (i: number, value: string, maxLines?: number): Cell => [
      {
        layout: out.layout(value, inner(i), { size, direction: 'ltr', ...(maxLines ? { maxLines } : {}) }),
        color: INK,
      },
    ];
    // Staff are named (and a doctor's licence given) as the directory knew them when they acted; events
    // recorded before names were kept show the shortened user id, enough to look them up.
    const who = event.actor.kind === 'staff' ? staffLabel(event.actor, t) : undefined;
    const staffId = who
      ? [
          {
            layout: out.layout(who, inner(3), {
              size: 7,
              ...(event.actor.name ? {} : { direction: 'ltr' as const }),
            }),
            color: INK,
          },
        ]
      : [];
    const cells: Cell[] = [
      bilingual(0, name),
      data(1, utcStamp(event.at).replace(' UTC', '')),
      data(2, localStamp(event.at, s.zone)),
      [...bilingual(3, [t(actor), o(actor)]), ...staffId],
      data(4, event.ip ?? '—', 2),
      data(5, event.userAgent ?? '—', 2),
    ];
    const before = out.pages.length;
    out.ensure(rowHeight(cells));
    // A table continued on a new page repeats its column headers.
    if (out.pages.length !== before) drawRow(headerCells, PANEL);
    drawRow(cells);
  }
}

/** Look-ups a patient or the clinic may repeat as often as they like; the other events happen once each. */
const REPEATABLE: ReadonlySet<AuditEvent['type']> = new Set(['link_opened', 'pdf_downloaded', 'verified']);

/**
 * Repeated look-ups by the same actor with the same detail (the link opened by e-mail, version 2
 * downloaded…) become one row: the first time, how many times, and the last. However often a link is
 * opened, the audit page stays a bounded size; every state change keeps its own row.
 */
export function summariseRepeats(
  sorted: AuditEvent[],
): Array<{ event: AuditEvent; count: number; lastAt: string }> {
  const rows: Array<{ event: AuditEvent; count: number; lastAt: string }> = [];
  const byKey = new Map<string, (typeof rows)[number]>();
  for (const event of sorted) {
    if (!REPEATABLE.has(event.type)) {
      rows.push({ event, count: 1, lastAt: event.at });
      continue;
    }
    const key = JSON.stringify([event.type, event.actor.kind, event.actor.id, event.data]);
    const row = byKey.get(key);
    if (row) {
      row.count += 1;
      row.lastAt = event.at;
    } else {
      const created = { event, count: 1, lastAt: event.at };
      byKey.set(key, created);
      rows.push(created);
    }
  }
  return rows;
}

/**
 * A short, non-PHI detail of an event for the audit table, in either language: which link was opened,
 * which e-mail went out, how a signature was given... Only known keys with known values are shown (an
 * error's class name at most), never free text from the event.
 */
function eventDetail(event: AuditEvent): ((l: Labels) => string) | undefined {
  switch (event.type) {
    case 'link_opened': {
      const key = CHANNEL_KEY[event.data.channel];
      return (l) => l(key);
    }
    case 'answers_submitted': {
      const key = LOCALE_KEY[event.data.locale];
      return (l) => l(key);
    }
    case 'signed':
    case 'countersigned': {
      const key = SIGNATURE_KEY[event.data.signature];
      return (l) => l(key);
    }
    case 'emailed':
      return (l) => l(MAIL_KEY[event.data.mail]);
    case 'email_failed': {
      const { mail, error } = event.data;
      return (l) => `${l(MAIL_KEY[mail])} (${ltr(error)})`;
    }
    case 'pdf_downloaded':
      return (l) => l('detailVersion', { version: event.data.version });
    case 'verified': {
      const { version, sealIntact } = event.data;
      return (l) =>
        `${l('detailVersion', { version })} · ${l(sealIntact ? 'detailSealIntact' : 'detailSealBroken')}`;
    }
    default:
      return undefined;
  }
}

/** The acting staff member: name, and licence for a doctor; the shortened id for older events. */
function staffLabel(actor: AuditEvent['actor'], l: Labels): string | undefined {
  if (actor.name)
    return actor.licence ? `${actor.name} (${l('licence')}: ${ltr(actor.licence)})` : actor.name;
  return actor.id ? shortId(actor.id) : undefined;
}

/** A staff user id (Cognito `sub`, a UUID) cut to its first 8 characters: enough to look it up. */
function shortId(id: string): string {
  const clean = id.replace(/[^\w-]/g, '');
  return clean.length > 9 ? `${clean.slice(0, 8)}…` : clean;
}

/** How the patient was identified, worded in one language from the masked facts. */
function identificationText(
  l: Labels,
  locale: Locale,
  id: NonNullable<ConsentDocument['audit']>['identification'],
): string {
  const parts = [
    id.channel === 'email' && id.maskedEmail
      ? l('identifiedEmail', { email: ltr(id.maskedEmail) })
      : l('identifiedHandover'),
    id.maskedPhone ? l('identifiedPhone', { phone: ltr(id.maskedPhone) }) : undefined,
  ];
  return parts.filter(Boolean).join(locale === 'ar' ? '؛ ' : '; ');
}

/** The seal and verification line: the seal only when the file will carry one; where to check it. */
function sealText(l: Labels, sealed: boolean | undefined, verifyUrl: string | undefined): string {
  const verify = verifyUrl ? l('verifyAt', { url: ltr(verifyUrl) }) : l('verifyGeneric');
  return sealed ? `${l('sealNotice')} ${verify}` : verify;
}
