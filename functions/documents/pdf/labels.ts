import pdfLabels from '../../../templates/i18n/pdf.json' with { type: 'json' };
import type { Locale } from '../../domain/template';
import { fillPlaceholders } from '../../domain/text';

/**
 * The PDF's own wording (section titles, Yes/No, severities, event names…), from templates/i18n/pdf.json:
 * `{ "en": {key: text}, "ar": {key: text} }` with identical keys. Imported statically so esbuild bundles it.
 * `{name}` placeholders are filled from `vars`.
 */
export type LabelKey = keyof typeof pdfLabels.en;
export type Labels = (key: LabelKey, vars?: Record<string, string | number>) => string;

const TABLES: Record<Locale, Record<LabelKey, string>> = pdfLabels;

export function labelsFor(locale: Locale): Labels {
  const table = TABLES[locale];
  return (key, vars) => {
    const text = table[key];
    return fillPlaceholders(text, vars);
  };
}

export const PDF_LABELS = TABLES;
