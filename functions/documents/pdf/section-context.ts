import type { Finding } from '../../domain/model';
import type { Locale, Localized } from '../../domain/template';
import { usableZone } from '../../domain/time';
import type { ConsentDocument } from '../consent-document';
import type { Composer } from './compose';
import type { Labels } from './labels';
import { autoDirection, type Direction } from './layout';
import type { EmbeddedImage } from './signature-image';

/** A drawn signature as embedded, 'unreadable' when its PNG could not be embedded, undefined when typed. */
export type SignatureImage = EmbeddedImage | 'unreadable' | undefined;

/** The moment this version was issued: the doctor's signature for the final version, else the patient's. */
export function issuedAt(doc: ConsentDocument): string {
  return doc.kind === 'countersigned' && doc.countersignature
    ? doc.countersignature.signedAt
    : doc.patientSignature.signedAt;
}

/** What every section of one language works from: the composer, the document and its labels. */
export class SectionContext {
  readonly t: Labels;
  readonly locale: Locale;
  readonly zone: string;

  constructor(
    readonly out: Composer,
    readonly doc: ConsentDocument,
    readonly images: { patient: SignatureImage; doctor: SignatureImage },
  ) {
    this.t = out.t;
    this.locale = out.locale;
    this.zone = usableZone(doc.audit?.timeZone ?? doc.clinic.branch.timeZone);
  }

  /** Direction for free text someone typed (names, notes): its own first strong letter decides. */
  auto(text: string): Direction {
    return autoDirection(text, this.out.dir);
  }

  l(text: Localized): string {
    return text[this.locale];
  }

  /** The finding's message in this section's language (from the template rule), else as recorded. */
  findingMessage(finding: Finding): string {
    const rule = this.doc.template.rules.find((r) => r.id === finding.ruleId);
    return rule ? this.l(rule.message) : finding.message;
  }
}
