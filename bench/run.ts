import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SealEnvironment } from '../infra/function-env';
import type { LocalStack } from '../infra/local/stack';
import { BUDGET, benchEnvironment, buildAll, type InitResult, measureInit, REPO_ROOT } from './bundles';
import { estimateCost } from './cost';
import { measureCostInputs, measureLatency } from './flow';
import { benchRender } from './render';
import { benchSizes, sizeLine } from './sizes';
import { kb, table } from './stats';

/**
 * `npm run bench`: the figures issue 7 asks for, each as median (p50) and p95 over repeated runs on this
 * machine, printed and written to bench/results.json. Not part of `npm test`. See docs/bench.md.
 *
 *   BENCH_ROUNDS (21)       fresh-process rounds for the init cost of every bundle
 *   BENCH_RENDER_RUNS (30)  warm renders of the final PDF
 *   BENCH_SINGLE_RUNS (10)  one-patient flows, one after the other
 *   BENCH_WAVES (2)         waves of 50 patients at once
 *   BENCH_ONLY=init         only bundle sizes and init cost (quick iterations; results.json is not written)
 *   BENCH_ONLY=sizes        only the worst-case consent's record and PDF sizes (seconds; results.json is not written)
 */
process.env.LOG_LEVEL ??= 'SILENT';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 21);
const RENDER_RUNS = Number(process.env.BENCH_RENDER_RUNS ?? 30);
const SINGLE_RUNS = Number(process.env.BENCH_SINGLE_RUNS ?? 10);
const WAVES = Number(process.env.BENCH_WAVES ?? 2);

const log = (s: string) => process.stdout.write(`${s}\n`);
const usd = (n: number) => `$${n.toFixed(6)}`;

/** What the countersign function needs at cold start (it checks its seal configuration then). */
async function benchSeal(): Promise<SealEnvironment> {
  try {
    const { generateLocalSealIdentity } = (await import('../functions/documents/seal/index')) as unknown as {
      generateLocalSealIdentity(): Promise<{ certificatePem: string }>;
    };
    const id = await generateLocalSealIdentity();
    return {
      mode: 'kms',
      keyId: 'arn:aws:kms:me-central-1:000000000000:key/bench',
      certificatePem: id.certificatePem,
    };
  } catch {
    return { mode: 'off' };
  }
}

async function main() {
  const started = new Date();
  const machine = {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? '',
    loadAvgAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
  };
  log(
    `meso-consent benchmark — ${started.toISOString()} — node ${machine.node}, ${machine.cpus} CPUs, load ${machine.loadAvgAtStart.join(' ')}`,
  );
  if (process.env.BENCH_ONLY === 'sizes') {
    log(sizeLine(await benchSizes(), kb));
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'consent-bench-'));
  try {
    // ------------------------------------------------------------------ bundles and init cost
    log('\n▸ bundling every handler as the CDK construct does…');
    const { targets, sizes } = await buildAll(dir);
    const env = benchEnvironment(await benchSeal());
    log(
      `▸ init cost: ${ROUNDS} rounds × ${targets.length + 1} fresh node processes (clean env: no NODE_OPTIONS / NODE_EXTRA_CA_CERTS)…`,
    );
    const init = measureInit(dir, targets, ROUNDS, env);
    log('▸ the same with NODE_OPTIONS=--enable-source-maps, as the construct sets it on Lambda…');
    const initMaps = measureInit(dir, targets, Math.max(3, Math.ceil(ROUNDS / 3)), {
      ...env,
      NODE_OPTIONS: '--enable-source-maps',
    });
    if (process.env.BENCH_ONLY === 'init') {
      for (const r of init.results) {
        const size = sizes.find((x) => x.id === r.id);
        log(
          `${r.id.padEnd(28)} added ${r.addedMs.p50} ms (p95 ${r.addedMs.p95})  ×floor ${r.ratio.p50} (p95 ${r.ratio.p95}, of medians ${r.ratioOfMedians})  import ${r.importMs.p50} ms ×${r.importRatio.p50}  cpu ${r.cpuMs.p50} ms ×${r.cpuRatio.p50}  ${kb(size?.minifiedBytes ?? 0)} KB${r.error ? ` ! ${r.error}` : ''}`,
        );
      }
      return;
    }

    // ------------------------------------------------------------------ PDF
    log(`▸ rendering the final consent PDF ${RENDER_RUNS} times (warm)…`);
    const render = await benchRender(RENDER_RUNS);
    log('▸ the worst-case consent: record and final PDF sizes…');
    const bounds = await benchSizes();

    // ------------------------------------------------------------------ local stack
    log('▸ starting the local stack…');
    const { Api, Table } = await import('../test/reliability/harness');
    // On ports the OS says are free (the tests' helper), so a running `npm start` or test run cannot collide.
    const { startTestStack } = await import('../test/support/stack');
    const stack: LocalStack = await startTestStack({ sweepIntervalMs: 2_000 });
    const api = new Api(stack.appUrl);
    const tbl = new Table(stack.dynamoEndpoint, stack.tableName);
    let flows: {
      one: Awaited<ReturnType<typeof measureLatency>>;
      fifty: Awaited<ReturnType<typeof measureLatency>>;
    };
    let costInputs: Awaited<ReturnType<typeof measureCostInputs>>;
    try {
      const coordinator = await api.login('coordinator');
      const doctor = await api.login('doctor');
      await measureLatency(api, coordinator, doctor, 2, 1); // warm-up: JIT, fonts, SDK connections
      log(`▸ full flow, 1 patient at a time × ${SINGLE_RUNS}…`);
      const one = await measureLatency(api, coordinator, doctor, 1, SINGLE_RUNS);
      log(`▸ full flow, 50 patients at once × ${WAVES}…`);
      const fifty = await measureLatency(api, coordinator, doctor, 50, WAVES);
      flows = { one, fifty };
      log('▸ one completed consent, metered (capacity, e-mail sizes, mailer time)…');
      costInputs = await measureCostInputs(stack, api, tbl, coordinator, doctor);
    } finally {
      api.close();
      tbl.close();
      await stack.stop();
    }

    // ------------------------------------------------------------------ cost
    const warm: Record<string, number> = {};
    for (const [route, s] of Object.entries(flows.one.perRoute)) warm[route] = s.p50;
    warm['GET /intake/{token} (JSON)'] = flows.one.perRoute['GET /intake/{token}']?.p50 ?? Number.NaN;
    const cost = estimateCost(
      costInputs,
      warm,
      { bareMs: init.bare.p50, results: init.results },
      costInputs.storageBytes,
    );

    // ------------------------------------------------------------------ budgets
    const handlerResults = init.results.filter((r) => r.kind !== 'floor');
    const budgets = [
      ...handlerResults.map((r: InitResult) => ({
        name: `init ${r.id} (${r.kind})`,
        budget: `≤ ${r.budget}× floor`,
        measured: `${r.ratio.p50}× (p95 ${r.ratio.p95}×)`,
        pass: !r.error && r.ratio.p50 <= (r.budget ?? BUDGET.api),
      })),
      {
        name: 'render final PDF, warm p50',
        budget: '≤ 60 ms',
        measured: `${render.final.ms.p50} ms (p95 ${render.final.ms.p95} ms)`,
        pass: render.final.ms.p50 <= 60,
      },
      {
        name: 'final PDF size (renderer output)',
        budget: '≤ 80 KB',
        measured: `${kb(render.final.bytes)} KB`,
        pass: render.final.bytes <= 80 * 1024,
      },
      ...(render.sealed && 'bytes' in render.sealed
        ? [
            {
              name: 'final PDF size as issued (sealed)',
              budget: '≤ 80 KB',
              measured: `${kb(render.sealed.bytes)} KB`,
              pass: render.sealed.bytes <= 80 * 1024,
            },
          ]
        : []),
      {
        name: 'worst-case consent record (DynamoDB item)',
        budget: '≤ 100 KB (limit 400 KB)',
        measured: `${kb(bounds.recordBytes)} KB`,
        pass: bounds.recordBytes <= 100 * 1024,
      },
      {
        name: 'worst-case final PDF as issued (stored in 300 KB parts)',
        budget: '(stored whole, any size)',
        measured: `${kb(bounds.sealedPdfBytes ?? bounds.pdfBytes)} KB in ${bounds.pdfParts} items`,
        pass: true,
      },
      {
        name: 'cost of one completed consent (warm)',
        budget: '≤ $0.001',
        measured: usd(cost.totalUsd),
        pass: cost.totalUsd <= 0.001,
      },
      {
        name: 'cost of one completed consent (every function cold)',
        budget: '(≤ $0.001)',
        measured: usd(cost.coldWorstCaseUsd),
        pass: cost.coldWorstCaseUsd <= 0.001,
      },
      {
        name: 'errors, 50 patients at once',
        budget: '0',
        measured: String(flows.fifty.errors),
        pass: flows.fifty.errors === 0,
      },
    ];

    // ------------------------------------------------------------------ print
    const floor = init.results.find((r) => r.id === 'floor:client-dynamodb');
    const mapsById = new Map(initMaps.results.map((r) => [r.id, r]));
    log(
      `\nINIT COST (added over a bare node start of ${init.bare.p50} ms p50; floor = @aws-sdk/client-dynamodb minified: ${floor?.addedMs.p50} ms p50)`,
    );
    log(
      table([
        [
          'bundle',
          'kind',
          'added ms p50',
          'p95',
          '× floor p50',
          'p95',
          'budget',
          'import() ms p50',
          '+source maps p50',
          'min KB',
          'gzip KB',
        ],
        ...init.results.map((r) => {
          const size = sizes.find((s) => s.id === r.id);
          return [
            r.id,
            r.kind,
            r.addedMs.p50,
            r.addedMs.p95,
            r.kind === 'floor' ? '' : r.ratio.p50,
            r.kind === 'floor' ? '' : r.ratio.p95,
            r.budget ? `${r.budget}×${r.ratio.p50 <= r.budget ? ' ok' : ' MISS'}` : '',
            r.importMs.p50,
            r.cpuMs.p50,
            r.kind === 'floor' ? '' : r.cpuRatio.p50,
            mapsById.get(r.id)?.addedMs.p50 ?? '',
            kb(size?.minifiedBytes ?? 0),
            kb(size?.gzipBytes ?? 0),
          ];
        }),
      ]),
    );
    for (const r of init.results) if (r.error) log(`  ! ${r.id}: ${r.error}`);

    log('\nPDF (warm, in-process)');
    log(
      table([
        ['variant', 'pages', 'KB', 'ms p50', 'ms p95'],
        ...[render.final, ...render.variants].map((v) => [v.name, v.pages, kb(v.bytes), v.ms.p50, v.ms.p95]),
      ]),
    );
    log(`first render in a fresh process (fonts parsed): ${render.coldFirstRenderMs} ms`);
    log(sizeLine(bounds, kb));
    if (render.sealed)
      log(
        'bytes' in render.sealed
          ? `sealed (PAdES) final: ${kb(render.sealed.bytes)} KB, seal ${render.sealed.sealMs.p50} ms p50`
          : render.sealed.error,
      );

    log('\nLOCAL-STACK FULL FLOW (invite → open → answers → sign → patient PDF → countersign), per request');
    log(
      table([
        ['patients at once', 'runs', 'requests', 'errors', 'p50 ms', 'p95 ms', 'wall per run ms (p50)'],
        ...[flows.one, flows.fifty].map((f) => [
          f.patients,
          f.runs,
          f.requests,
          f.errors,
          f.perRequest.p50,
          f.perRequest.p95,
          f.wallMs.p50,
        ]),
      ]),
    );
    log(
      table([
        ['route', '1 patient p50', 'p95', '50 at once p50', 'p95'],
        ...Object.keys(flows.one.perRoute).map((k) => [
          k,
          flows.one.perRoute[k]?.p50 ?? '',
          flows.one.perRoute[k]?.p95 ?? '',
          flows.fifty.perRoute[k]?.p50 ?? '',
          flows.fifty.perRoute[k]?.p95 ?? '',
        ]),
      ]),
    );
    for (const e of [...flows.one.errorSamples, ...flows.fifty.errorSamples]) log(`  ! ${e}`);

    log(`\nCOST OF ONE COMPLETED CONSENT — prices: ${cost.prices.region}; ${cost.prices.asOf}`);
    log(
      table([
        ['item', 'quantity', 'USD'],
        ...cost.lines.map((l) => [l.item, l.quantity, usd(l.usd)]),
        ['total (warm)', '', usd(cost.totalUsd)],
        ...cost.coldLines.map((l) => [l.item, l.quantity, usd(l.usd)]),
        ['total (every function cold)', '', usd(cost.coldWorstCaseUsd)],
      ]),
    );
    log(
      table([
        ['price', 'USD'],
        ['Lambda arm64 per GB-s', cost.prices.lambdaArmGbSecond],
        ['Lambda per request', cost.prices.lambdaRequest],
        ['HTTP API per request', cost.prices.httpApiRequest],
        ['DynamoDB per WRU', cost.prices.dynamoWru],
        ['DynamoDB per RRU', cost.prices.dynamoRru],
        ['DynamoDB storage per GB-month', cost.prices.dynamoStorageGbMonth],
        ['DynamoDB PITR per GB-month', cost.prices.dynamoPitrGbMonth],
        ['SES per e-mail', cost.prices.sesEmail],
        ['SES attachments per GB', cost.prices.sesAttachmentGb],
        ['CloudWatch Logs ingestion per GB', cost.prices.logsIngestGb],
        ['X-Ray per trace', cost.prices.xrayTrace],
        ['KMS asymmetric request', cost.prices.kmsAsymmetricRequest],
      ]),
    );
    log(
      `DynamoDB by operation: ${costInputs.dynamo.map((d) => `${d.command} ×${d.calls} = ${d.capacityUnits} CU`).join('; ')}`,
    );
    log(
      `stored per consent: ${kb(cost.storageBytes)} KB (${costInputs.itemNotes.join('; ')}) → ${usd(cost.storagePerMonthUsd)} per month (storage + PITR)`,
    );
    log(`e-mails: ${costInputs.emails.map((e) => `${kb(e.bytes)} KB`).join(', ')}`);
    for (const a of cost.assumptions) log(`  · ${a}`);

    log('\nBUDGETS');
    log(
      table([
        ['figure', 'budget', 'measured', 'verdict'],
        ...budgets.map((b) => [b.name, b.budget, b.measured, b.pass ? 'met' : 'MISSED']),
      ]),
    );

    const results = {
      generatedAt: started.toISOString(),
      durationS: Math.round((Date.now() - started.getTime()) / 1000),
      machine: { ...machine, loadAvgAtEnd: loadavg().map((x) => Math.round(x * 100) / 100) },
      settings: { rounds: ROUNDS, renderRuns: RENDER_RUNS, singleRuns: SINGLE_RUNS, waves: WAVES },
      init: {
        bareNodeStartMs: init.bare,
        results: init.results,
        withSourceMaps: { bareNodeStartMs: initMaps.bare, results: initMaps.results },
      },
      bundles: sizes,
      render,
      sizes: bounds,
      flow: flows,
      cost: { ...cost, inputs: costInputs },
      budgets,
    };
    writeFileSync(join(REPO_ROOT, 'bench/results.json'), `${JSON.stringify(results, null, 2)}\n`);
    log(`\nwritten: bench/results.json (${results.durationS} s)`);

    // docs/bench.md carries the latest figures between markers, so the page never drifts from the data.
    const md = (rows: Array<Array<string | number>>) =>
      [rows[0], rows[0]?.map(() => '---'), ...rows.slice(1)]
        .map((r) => `| ${(r ?? []).join(' | ')} |`)
        .join('\n');
    const sealed = render.sealed && 'bytes' in render.sealed ? render.sealed : undefined;
    const figures = [
      `Run of ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC, node ${machine.node}, ${machine.cpus} vCPUs (${machine.cpuModel}), load average ${machine.loadAvgAtStart[0]} at start and ${results.machine.loadAvgAtEnd[0]} at the end; ${ROUNDS} rounds for init, ${RENDER_RUNS} renders, ${SINGLE_RUNS} single-patient flows, ${WAVES} waves of 50. Full data: \`bench/results.json\`.`,
      '',
      `**Init cost** — wall time added over a bare \`node\` start (${init.bare.p50} ms p50), as a multiple of the floor (\`@aws-sdk/client-dynamodb\` minified: +${floor?.addedMs.p50} ms p50, ${kb(sizes.find((x) => x.id === floor?.id)?.minifiedBytes ?? 0)} KB), per-round ratio p50 (p95); CPU-time ratio as a load-insensitive cross-check.`,
      '',
      md([
        [
          'bundle',
          'kind',
          'added ms p50 (p95)',
          '× floor p50 (p95)',
          'budget',
          'CPU × floor',
          '+ms with source maps',
          'min KB',
          'gzip KB',
        ],
        ...init.results
          .filter((r) => r.kind !== 'floor')
          .map((r) => {
            const size = sizes.find((x) => x.id === r.id);
            const maps = mapsById.get(r.id)?.addedMs.p50;
            return [
              r.id,
              r.kind,
              `${r.addedMs.p50} (${r.addedMs.p95})`,
              `**${r.ratio.p50}×** (${r.ratio.p95}×)`,
              `≤ ${r.budget}× ${r.ratio.p50 <= (r.budget ?? 0) ? 'met' : '**missed**'}`,
              `${r.cpuRatio.p50}×`,
              maps === undefined ? '' : `${Math.round((maps - r.addedMs.p50) * 10) / 10}`,
              kb(size?.minifiedBytes ?? 0),
              kb(size?.gzipBytes ?? 0),
            ];
          }),
      ]),
      '',
      `**Final PDF** (warm, ${RENDER_RUNS} renders after warm-up): p50 **${render.final.ms.p50} ms** (p95 ${render.final.ms.p95} ms), **${kb(render.final.bytes)} KB**, ${render.final.pages} pages${sealed ? `; sealed as issued (PAdES): ${kb(sealed.bytes)} KB, seal ${sealed.sealMs.p50} ms p50` : ''}. First render in a fresh process (fonts parsed, code cold): ${render.coldFirstRenderMs} ms.`,
      '',
      `**Size bounds** (issue 11, item 2): ${sizeLine(bounds, kb)}.`,
      '',
      md([
        ['variant', 'pages', 'KB', 'ms p50', 'ms p95'],
        ...[render.final, ...render.variants].map((v) => [v.name, v.pages, kb(v.bytes), v.ms.p50, v.ms.p95]),
      ]),
      '',
      '**Local-stack full flow** (invite → open → answers → signature → patient PDF → countersign; latency per request as the client sees it):',
      '',
      md([
        ['patients at once', 'requests', 'errors', 'p50 ms', 'p95 ms'],
        ...[flows.one, flows.fifty].map((f) => [
          f.patients,
          f.requests,
          f.errors,
          f.perRequest.p50,
          f.perRequest.p95,
        ]),
      ]),
      '',
      md([
        ['route', '1 patient p50 / p95 ms', '50 at once p50 / p95 ms'],
        ...Object.keys(flows.one.perRoute).map((k) => [
          k,
          `${flows.one.perRoute[k]?.p50} / ${flows.one.perRoute[k]?.p95}`,
          `${flows.fifty.perRoute[k]?.p50} / ${flows.fifty.perRoute[k]?.p95}`,
        ]),
      ]),
      '',
      `**Cost of one completed consent** (${cost.prices.region}; ${cost.prices.asOf}):`,
      '',
      md([
        ['item', 'quantity', 'USD'],
        ...cost.lines.map((l) => [l.item, l.quantity, usd(l.usd)]),
        ['**total, warm**', '', `**${usd(cost.totalUsd)}**`],
        ...cost.coldLines.map((l) => [l.item, l.quantity, usd(l.usd)]),
        ['total, every function cold', '', usd(cost.coldWorstCaseUsd)],
      ]),
      '',
      `Stored per consent: ${kb(cost.storageBytes)} KB (${costInputs.itemNotes.join('; ')}) → ${usd(cost.storagePerMonthUsd)} per month with PITR. E-mails: ${costInputs.emails.map((e) => `${kb(e.bytes)} KB`).join(', ')}. DynamoDB by operation: ${costInputs.dynamo.map((d) => `${d.command} ×${d.calls} = ${d.capacityUnits} units`).join('; ')}.`,
      '',
      ...cost.assumptions.map((a) => `- ${a}`),
      '',
      md([
        ['price (us-east-1)', 'USD'],
        ['Lambda arm64, per GB-second', cost.prices.lambdaArmGbSecond],
        ['Lambda, per request', cost.prices.lambdaRequest.toFixed(7)],
        ['API Gateway HTTP API, per request', cost.prices.httpApiRequest.toFixed(6)],
        ['DynamoDB on-demand, per write request unit', cost.prices.dynamoWru.toFixed(9)],
        ['DynamoDB on-demand, per read request unit', cost.prices.dynamoRru.toFixed(9)],
        [
          'DynamoDB storage / PITR, per GB-month',
          `${cost.prices.dynamoStorageGbMonth} / ${cost.prices.dynamoPitrGbMonth}`,
        ],
        [
          'SES, per e-mail / per GB of attachments',
          `${cost.prices.sesEmail} / ${cost.prices.sesAttachmentGb}`,
        ],
        ['CloudWatch Logs ingestion, per GB', cost.prices.logsIngestGb],
        ['X-Ray, per trace recorded', cost.prices.xrayTrace.toFixed(6)],
        ['KMS asymmetric (Sign) request', cost.prices.kmsAsymmetricRequest.toFixed(6)],
      ]),
      '',
      '**Budgets**',
      '',
      md([
        ['figure', 'budget', 'measured', 'verdict'],
        ...budgets.map((b) => [b.name, b.budget, b.measured, b.pass ? 'met' : '**missed**']),
      ]),
    ].join('\n');
    const docPath = join(REPO_ROOT, 'docs/bench.md');
    if (existsSync(docPath)) {
      const doc = readFileSync(docPath, 'utf8');
      const start = '<!-- bench:figures:start -->';
      const end = '<!-- bench:figures:end -->';
      const a = doc.indexOf(start);
      const b = doc.indexOf(end);
      if (a >= 0 && b > a) {
        writeFileSync(docPath, `${doc.slice(0, a + start.length)}\n${figures}\n${doc.slice(b)}`);
        log('updated: docs/bench.md (figures)');
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
