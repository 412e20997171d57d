import { ATTR, OUTBOX_FILTER, PREFIX } from '../functions/adapters/table-keys';

/**
 * The mailer's stream filter, declared once: the CDK stack hands these patterns to Lambda's event source
 * mapping (infra/stacks/stateless-stack.ts), and the local stream poller applies the same patterns with
 * `matchesStreamFilter` (infra/local/stream-poller.ts), so the laptop wakes the mailer for exactly the
 * records Lambda would. Lambda ORs the patterns.
 *
 * They admit what the mailer (functions/handlers/mailer.ts, `pendingMails`) acts on — an outbox item that
 * has just become pending and that nobody holds a lease on: inserted pending, or changed into pending from
 * another status. Everything else on MAIL# items is a step of a delivery already under way (the lease
 * being taken, the send recorded, a failure recorded for a retry): the mailer ignores those records anyway,
 * and the outbox sweeper (every 15 minutes, pendingMail index) re-sends whatever is still pending after a
 * lease expired or a send failed, so skipping them loses nothing.
 */
export type FilterPattern = { [field: string]: FilterPattern | FilterLeaf[] };
export type FilterLeaf = string | { prefix: string } | { exists: boolean } | { 'anything-but': string[] };

const outboxKey = { Keys: { [ATTR.sk]: { S: [{ prefix: PREFIX.mail }] } } };
const deliverable = {
  [OUTBOX_FILTER.entityAttr]: { S: [OUTBOX_FILTER.entity] },
  [OUTBOX_FILTER.statusAttr]: { S: [OUTBOX_FILTER.pending] },
  // Exists matches leaves only: the attribute's type key (S) is the leaf.
  [OUTBOX_FILTER.leaseAttr]: { S: [{ exists: false }] },
};

export const MAILER_STREAM_FILTERS: readonly FilterPattern[] = [
  { eventName: ['INSERT'], dynamodb: { ...outboxKey, NewImage: deliverable } },
  {
    eventName: ['MODIFY'],
    dynamodb: {
      ...outboxKey,
      NewImage: deliverable,
      OldImage: { [OUTBOX_FILTER.statusAttr]: { S: [{ 'anything-but': [OUTBOX_FILTER.pending] }] } },
    },
  },
];

/**
 * Lambda's filter semantics for the operators used above: every field of a pattern must match; a leaf list
 * matches when any of its entries does; `exists: false` matches a missing field, every other entry needs it.
 */
export function matchesPattern(pattern: FilterPattern, value: unknown): boolean {
  const object = (value ?? {}) as Record<string, unknown>;
  return Object.entries(pattern).every(([field, rule]) => {
    const actual = typeof object === 'object' ? object[field] : undefined;
    if (!Array.isArray(rule)) return matchesPattern(rule, actual);
    return rule.some((leaf) => matchesLeaf(leaf, actual));
  });
}

function matchesLeaf(leaf: FilterLeaf, actual: unknown): boolean {
  if (typeof leaf === 'string') return actual === leaf;
  if ('exists' in leaf) return leaf.exists === (actual !== undefined);
  if (typeof actual !== 'string') return false;
  if ('prefix' in leaf) return actual.startsWith(leaf.prefix);
  return !leaf['anything-but'].includes(actual);
}

/** Whether Lambda would pass this stream record (in its Lambda event shape) to the mailer. */
export function matchesStreamFilter(record: unknown, patterns = MAILER_STREAM_FILTERS): boolean {
  return patterns.some((p) => matchesPattern(p, record));
}
