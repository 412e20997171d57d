import type { Finding } from '../../domain/model';
import type { Rgb } from './page-canvas';

/** The consent PDF's page geometry, type sizes and colours, shared by the composer and the sections. */

// Page geometry (points). A4, 40 pt margins, footer in the bottom margin.
export const PAGE_W = 595.28;
export const PAGE_H = 841.89;
export const MARGIN = 40;
export const CONTENT_W = PAGE_W - 2 * MARGIN;
export const CONTENT_BOTTOM = PAGE_H - MARGIN - 14;
export const BODY = 9.5;
export const SMALL = 8;
export const FIELD_LABEL_W = 130;
export const FIELD_GAP = 8;
export const HEADER_HALF_W = (CONTENT_W - 20) / 2;
export const HEADER_LABEL_W = 82;
export const SIGNATURE_BOX = { width: 220, height: 62, padding: 8 };

/**
 * Where the patient's name is set, so tests can check that any name stays inside its boxes: the header
 * field, the "signed by" field (both wrapped, at most 3 lines) and a typed signature (one line, shrunk
 * to fit, else cut with an ellipsis).
 */
export const PATIENT_NAME_BOXES = {
  header: { width: HEADER_HALF_W - HEADER_LABEL_W - FIELD_GAP, size: BODY, maxLines: 3 },
  signedBy: { width: CONTENT_W - FIELD_LABEL_W - FIELD_GAP, size: BODY, maxLines: 3 },
  typedSignature: { width: SIGNATURE_BOX.width - 2 * SIGNATURE_BOX.padding, maxSize: 20, minSize: 8 },
} as const;

export const INK: Rgb = [0.1, 0.11, 0.13];
export const MUTED: Rgb = [0.4, 0.42, 0.46];
export const ACCENT: Rgb = [0.05, 0.32, 0.4];
export const RULE: Rgb = [0.8, 0.82, 0.85];
export const PANEL: Rgb = [0.955, 0.965, 0.97];
export const OK: Rgb = [0.08, 0.45, 0.25];
export const DANGER: Rgb = [0.7, 0.12, 0.12];
export const SEVERITY_COLOUR: Record<Finding['severity'], Rgb> = {
  contraindicated: DANGER,
  review: [0.62, 0.36, 0.02],
  advisory: [0.2, 0.35, 0.6],
};
