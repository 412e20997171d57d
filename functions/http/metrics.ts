import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { BusinessMetric } from '../../infra/routes';
import type { DeliveryResult } from '../workflow/mail';
import type { MailKind, OutboxMail } from '../workflow/ports';

/**
 * Business metrics as CloudWatch embedded-metric-format (EMF) lines on stdout: CloudWatch Logs turns
 * them into metrics, no PutMetricData call and no extra permission. Namespace `ConsentApp`, one
 * dimension `service` (and `kind` for e-mail): never a clinic, consent or anything about a patient
 * (privacy, and every distinct dimension value is a billed metric).
 *
 * An EMF line is a log line at INFO: LOG_LEVEL WARN (the local terminal) or SILENT (tests) mutes them;
 * on AWS LOG_LEVEL is not set.
 */
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'ConsentApp',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'consents',
});

export type MailMetric = 'EmailSent' | 'EmailFailed';

const QUIET = new Set(['WARN', 'ERROR', 'CRITICAL', 'SILENT']);
const enabled = () => !QUIET.has((process.env.LOG_LEVEL ?? 'INFO').toUpperCase());

/** Counts one business event and writes it out now (one EMF line per invocation that changed state). */
export function countBusinessEvent(name: BusinessMetric): void {
  if (!enabled()) return;
  metrics.addMetric(name, MetricUnit.Count, 1);
  metrics.publishStoredMetrics();
}

/** Counts one delivery attempt's result, by mail kind (a handful of fixed values). */
export function countMail(name: MailMetric, kind: MailKind): void {
  if (!enabled()) return;
  const single = metrics.singleMetric();
  single.addDimension('kind', kind);
  single.addMetric(name, MetricUnit.Count, 1);
}

/** EmailSent / EmailFailed by mail kind; a mail another worker holds (`skipped`) is not counted. */
export function countDelivery(mail: Pick<OutboxMail, 'kind'>, result: DeliveryResult): void {
  if (result === 'sent') countMail('EmailSent', mail.kind);
  else if (result === 'failed') countMail('EmailFailed', mail.kind);
}
