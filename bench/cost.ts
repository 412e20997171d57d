import { routes, workers } from '../infra/routes';
import type { InitResult } from './bundles';
import type { CostInputs } from './flow';

/**
 * The AWS cost of one completed consent, from measured durations, memory sizes (infra/routes.ts),
 * consumed capacity and e-mail sizes. Prices: AWS list prices for US East (N. Virginia), us-east-1 —
 * me-central-1 lists run higher (typically +10–30 %); multiply by its factor when deploying there.
 */
export const PRICES = {
  region: 'us-east-1 (US East, N. Virginia)',
  asOf: 'AWS public list prices as published on aws.amazon.com/<service>/pricing (Lambda arm64 2020 rates, DynamoDB on-demand after the 1 Nov 2024 reduction, SES, HTTP API); taken 2026-11-21 from the published 2025 pages — this machine has no network access to re-check them',
  lambdaArmGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  httpApiRequest: 1.0 / 1e6,
  dynamoWru: 0.625 / 1e6,
  dynamoRru: 0.125 / 1e6,
  dynamoStorageGbMonth: 0.25,
  dynamoPitrGbMonth: 0.2,
  sesEmail: 0.1 / 1000,
  sesAttachmentGb: 0.12,
  logsIngestGb: 0.5,
  xrayTrace: 5.0 / 1e6,
  kmsAsymmetricRequest: 0.15 / 10_000,
} as const;

const WRITE = /^(Put|Update|Delete|TransactWrite|BatchWrite)/;

export interface CostLine {
  item: string;
  quantity: string;
  usd: number;
}

export interface CostResult {
  prices: typeof PRICES;
  lines: CostLine[];
  totalUsd: number;
  coldWorstCaseUsd: number;
  coldLines: CostLine[];
  storagePerMonthUsd: number;
  storageBytes: number;
  fixedMonthly: CostLine[];
  assumptions: string[];
}

function memoryOf(functionId: string): number {
  const r = routes.find((x) => x.id === functionId);
  if (r) return r.memoryMb;
  const w = Object.values(workers).find((x) => x.id === functionId);
  if (w) return w.memoryMb;
  throw new Error(`unknown function ${functionId}`);
}

const gbSeconds = (memoryMb: number, ms: number) => (memoryMb / 1024) * (Math.ceil(ms) / 1000);

export function estimateCost(
  inputs: CostInputs,
  warmDurations: Record<string, number>,
  init: { bareMs: number; results: InitResult[] },
  storageBytes: number,
): CostResult {
  const lines: CostLine[] = [];
  const assumptions: string[] = [];

  // Lambda behind API Gateway: one invocation per request, billed per ms at the function's memory.
  let gbs = 0;
  for (const r of inputs.requests) {
    const ms = warmDurations[r.route] ?? r.ms;
    gbs += gbSeconds(memoryOf(r.functionId), ms);
  }
  // The stream mailer: every outbox record the event source passes is (at most) one invocation; the ones
  // that deliver take the measured delivery time, the rest (lease and "sent" updates) return at once.
  const mailerMemory = memoryOf(workers.mailer.id);
  const deliveries = inputs.mailsDelivered;
  const idle = Math.max(0, inputs.outboxRecords - deliveries);
  const IDLE_MS = 10;
  gbs +=
    deliveries * gbSeconds(mailerMemory, inputs.mailDeliveryMs.p50) + idle * gbSeconds(mailerMemory, IDLE_MS);
  assumptions.push(
    `mailer: ${inputs.outboxRecords} writes to outbox items (an insert, a lease, a "sent"; the two final e-mails share one transaction), each a stream batch the event-source filter passes → up to ${inputs.outboxRecords} invocations; ${deliveries} deliver (${inputs.mailDeliveryMs.p50} ms each, measured), the others return in ~${IDLE_MS} ms (assumed)`,
  );
  const invocations = inputs.requests.length + inputs.outboxRecords;
  lines.push({
    item: 'Lambda duration (arm64)',
    quantity: `${gbs.toFixed(3)} GB-s`,
    usd: gbs * PRICES.lambdaArmGbSecond,
  });
  lines.push({
    item: 'Lambda requests',
    quantity: `${invocations} invocations`,
    usd: invocations * PRICES.lambdaRequest,
  });
  lines.push({
    item: 'API Gateway HTTP API',
    quantity: `${inputs.requests.length} requests (each < 512 KB)`,
    usd: inputs.requests.length * PRICES.httpApiRequest,
  });

  const wru = inputs.dynamo.filter((d) => WRITE.test(d.command)).reduce((s, d) => s + d.capacityUnits, 0);
  const rru = inputs.dynamo.filter((d) => !WRITE.test(d.command)).reduce((s, d) => s + d.capacityUnits, 0);
  lines.push({
    item: 'DynamoDB writes (on-demand)',
    quantity: `${wru} WRU (transactions: 2 per KB per item, indexes included)`,
    usd: wru * PRICES.dynamoWru,
  });
  lines.push({ item: 'DynamoDB reads (on-demand)', quantity: `${rru} RRU`, usd: rru * PRICES.dynamoRru });

  const mailBytes = inputs.emails.reduce((s, e) => s + e.bytes, 0);
  lines.push({
    item: 'SES e-mails',
    quantity: `${inputs.emails.length} messages`,
    usd: inputs.emails.length * PRICES.sesEmail,
  });
  lines.push({
    item: 'SES attachment data',
    quantity: `${(mailBytes / 1024).toFixed(0)} KB (whole messages, conservative)`,
    usd: (mailBytes / 1024 ** 3) * PRICES.sesAttachmentGb,
  });

  const LOG_BYTES = 1200;
  lines.push({
    item: 'CloudWatch Logs ingestion',
    quantity: `${invocations} × ~${LOG_BYTES} B (platform + one access line)`,
    usd: ((invocations * LOG_BYTES) / 1024 ** 3) * PRICES.logsIngestGb,
  });
  lines.push({
    item: 'X-Ray traces (all sampled, worst case)',
    quantity: `${invocations} traces`,
    usd: invocations * PRICES.xrayTrace,
  });
  lines.push({
    item: 'KMS Sign (PDF seal)',
    quantity: '1 asymmetric request',
    usd: PRICES.kmsAsymmetricRequest,
  });
  assumptions.push(
    `log volume per invocation ~${LOG_BYTES} B (assumed from the JSON access line and Lambda's platform lines)`,
  );
  assumptions.push(
    'X-Ray counted as if every request were traced (the default sampling rule traces 1/s + 5 %)',
  );
  assumptions.push('Cognito sign-ins are per staff member per month (MAU), not per consent: excluded');

  const totalUsd = lines.reduce((s, l) => s + l.usd, 0);

  // Worst case: every function the consent touches starts cold once (Lambda bills INIT since Aug 2025).
  const coldLines: CostLine[] = [];
  const used = [...new Set([...inputs.requests.map((r) => r.functionId), workers.mailer.id])];
  let coldGbs = 0;
  for (const id of used) {
    const added = init.results.find((r) => r.id === id)?.addedMs.p50 ?? 0;
    coldGbs += gbSeconds(memoryOf(id), init.bareMs + added);
  }
  coldLines.push({
    item: `INIT of ${used.length} functions (node start + bundle load, measured)`,
    quantity: `${coldGbs.toFixed(3)} GB-s`,
    usd: coldGbs * PRICES.lambdaArmGbSecond,
  });

  const gb = storageBytes / 1024 ** 3;
  const storagePerMonthUsd = gb * (PRICES.dynamoStorageGbMonth + PRICES.dynamoPitrGbMonth);
  const fixedMonthly: CostLine[] = [
    {
      item: 'mail sweeper (every 15 min, ~0.3 s at 512 MB)',
      quantity: '2,880 invocations/month',
      usd: 2880 * (PRICES.lambdaRequest + gbSeconds(512, 300) * PRICES.lambdaArmGbSecond),
    },
  ];
  return {
    prices: PRICES,
    lines,
    totalUsd,
    coldLines,
    coldWorstCaseUsd: totalUsd + coldLines.reduce((s, l) => s + l.usd, 0),
    storagePerMonthUsd,
    storageBytes,
    fixedMonthly,
    assumptions,
  };
}
