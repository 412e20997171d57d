import { tableDefinition } from '../../infra/table';
import type { SignerRole } from '../domain/model';
import type { MailKind } from '../workflow/ports';

/**
 * The table's keys, in one place: attribute and index names come from the table definition
 * (infra/table.ts, which builds the table in AWS and locally), item keys from the builders below.
 * The store, the CDK stream filter of the mailer and the test harnesses all read them from here.
 *
 *   CLINIC#<c> / PROFILE                 clinic profile (branches, archive address)
 *   CLINIC#<c> / STAFF#<email>           staff profile (name, licence) for local sign-in
 *   CLINIC#<c> / CONSENT#<ulid>          the consent record (gsi1: CLINIC#<c>#STATUS#<s> / <ulid>)
 *   CLINIC#<c> / EVENT#<ulid>#<at>#<pos>#<seq>#<r>   audit events, append-only
 *   CLINIC#<c> / PDF#<ulid>#<nnnn>       each issued PDF version, write-once (ref, part count, bytes of part 1)
 *   CLINIC#<c> / PDF#<ulid>#<nnnn>#part<kk>   parts 2… of a PDF too large for one item, write-once
 *   CLINIC#<c> / SIG#<ulid>#<role>       a drawn signature's PNG (patient, doctor), write-once
 *   CLINIC#<c> / MAIL#<ulid>#<kind>      outbox (gsi2: MAIL#PENDING / <nextAttemptAt>… while unsent)
 *   LINK#<sha256(token)> / LINK          intake-link lookup (the token itself is never stored)
 *   PDFHASH#<sha256> / PDFHASH           issued-PDF lookup for /verify
 *   RATE#<key> / W#<windowStart>         rate-limit window (expires through the TTL attribute)
 */
const [byStatus, pendingMail] = tableDefinition.indexes;

/** Attribute names of the table and index keys, and of the TTL. */
export const ATTR = {
  pk: tableDefinition.partitionKey,
  sk: tableDefinition.sortKey,
  gsi1pk: byStatus.partitionKey,
  gsi1sk: byStatus.sortKey,
  gsi2pk: pendingMail.partitionKey,
  gsi2sk: pendingMail.sortKey,
  ttl: tableDefinition.ttlAttribute,
} as const;

/** Index names. */
export const INDEX = { byStatus: byStatus.name, pendingMail: pendingMail.name } as const;

/** Key prefixes (each ends with `#`). */
export const PREFIX = {
  clinic: 'CLINIC#',
  staff: 'STAFF#',
  consent: 'CONSENT#',
  event: 'EVENT#',
  pdf: 'PDF#',
  signature: 'SIG#',
  mail: 'MAIL#',
  link: 'LINK#',
  pdfHash: 'PDFHASH#',
  rate: 'RATE#',
} as const;

/** Item keys and key prefixes, by item type. */
export const keys = {
  clinicPk: (clinicId: string) => `${PREFIX.clinic}${clinicId}`,
  profileSk: 'PROFILE',
  staffSk: (email: string) => `${PREFIX.staff}${email.toLowerCase()}`,
  consentSk: (consentId: string) => `${PREFIX.consent}${consentId}`,
  /** gsi1 partition: a clinic's consents in one status. */
  statusPk: (clinicId: string, status: string) => `${PREFIX.clinic}${clinicId}#STATUS#${status}`,
  /** All event sort keys of one consent start with this. */
  eventPrefix: (consentId: string) => `${PREFIX.event}${consentId}#`,
  /**
   * Events sort by time, then by their position within one write, then by the writing process's monotonic
   * clock (`seq`), then by a random suffix that keeps keys unique across containers.
   */
  eventSk: (consentId: string, at: string, position: number, seq: string, random: string) =>
    `${PREFIX.event}${consentId}#${at}#${String(position).padStart(2, '0')}#${seq}#${random}`,
  pdfPrefix: (consentId: string) => `${PREFIX.pdf}${consentId}#`,
  pdfSk: (consentId: string, version: number) =>
    `${PREFIX.pdf}${consentId}#${String(version).padStart(4, '0')}`,
  /** Part `part` (2, 3, …) of a PDF version stored in several items; part 1 is the version's own item. */
  pdfPartSk: (consentId: string, version: number, part: number) =>
    `${PREFIX.pdf}${consentId}#${String(version).padStart(4, '0')}#part${String(part).padStart(2, '0')}`,
  signatureSk: (consentId: string, role: SignerRole) => `${PREFIX.signature}${consentId}#${role}`,
  /** All outbox sort keys of one consent start with this. */
  mailPrefix: (consentId: string) => `${PREFIX.mail}${consentId}#`,
  mailSk: (consentId: string, kind: MailKind) => `${PREFIX.mail}${consentId}#${kind}`,
  /** gsi2 partition of every pending mail, and its sort key (due time first). */
  pendingMailPk: `${PREFIX.mail}PENDING`,
  pendingMailSk: (nextAttemptAt: string, clinicId: string, consentId: string, kind: MailKind) =>
    `${nextAttemptAt}#${clinicId}#${consentId}#${kind}`,
  linkPk: (tokenHash: string) => `${PREFIX.link}${tokenHash}`,
  linkSk: 'LINK',
  pdfHashPk: (sha256: string) => `${PREFIX.pdfHash}${sha256}`,
  pdfHashSk: 'PDFHASH',
  ratePk: (key: string) => `${PREFIX.rate}${key}`,
  rateSk: (windowStart: number) => `W#${windowStart}`,
} as const;

/**
 * What the mailer's stream filter reads on an outbox item (infra/stream-filter.ts): its entity, its status
 * (`pending` until sent) and the lease a sender sets while it sends (dynamo-outbox.ts claimMail).
 */
export const OUTBOX_FILTER = {
  entityAttr: 'entity',
  entity: 'mail',
  statusAttr: 'status',
  pending: 'pending',
  leaseAttr: 'leaseUntil',
} as const;

/** Attributes the store adds to an item for keys and search; stripped before an item leaves the store. */
export const STORE_ATTRS: readonly string[] = [...Object.values(ATTR), 'entity', 'searchText'];
