import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build } from 'esbuild';
import { functionEnvironment, type SealEnvironment } from '../infra/function-env';
import { routes, workers } from '../infra/routes';
import { percentile, type Spread, shuffle, spread } from './stats';

/**
 * Every deployed handler bundled exactly as the CDK construct bundles it (infra/constructs/consent-function.ts:
 * ESM, minified, node22, the createRequire banner, linked source map without sources, main fields
 * module,main, UTF-8 charset, the AWS SDK inside the bundle), then loaded in fresh `node` processes with a
 * clean environment to measure what loading it adds over a bare node start.
 */
export const REPO_ROOT = new URL('../', import.meta.url).pathname;

/** The banner the construct passes to esbuild, read from the construct so the two cannot drift. */
function constructBanner(): string {
  const source = readFileSync(join(REPO_ROOT, 'infra/constructs/consent-function.ts'), 'utf8');
  const m = /const ESM_REQUIRE_BANNER =\s*"([^"]+)";/.exec(source);
  if (!m?.[1])
    throw new Error(
      'ESM_REQUIRE_BANNER not found in infra/constructs/consent-function.ts: update bench/bundles.ts',
    );
  return m[1];
}

export function esbuildOptions(outfile: string): BuildOptions {
  return {
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    banner: { js: constructBanner() },
    charset: 'utf8',
    logLevel: 'warning',
    outfile,
  };
}

export type HandlerKind = 'api' | 'pdf' | 'worker' | 'floor';

export interface Target {
  id: string;
  kind: HandlerKind;
  memoryMb: number;
  file: string;
  budget?: number;
}

export interface BundleSize {
  id: string;
  minifiedBytes: number;
  gzipBytes: number;
  sourceMapBytes: number;
}

/** PDF-rendering handlers are the routes that declare the fonts (infra/routes.ts): intake-signature, consent-countersign. */
export const BUDGET = { api: 1.5, pdf: 3.0 } as const;

export async function buildAll(dir: string): Promise<{ targets: Target[]; sizes: BundleSize[] }> {
  const targets: Target[] = [];
  const entries = [
    ...routes
      .filter((r) => !r.localOnly)
      .map((r) => ({
        id: r.id,
        entry: r.entry,
        memoryMb: r.memoryMb,
        kind: (r.needs?.fonts ? 'pdf' : 'api') as HandlerKind,
      })),
    ...Object.values(workers).map((w) => ({
      id: w.id,
      entry: w.entry,
      memoryMb: w.memoryMb,
      kind: 'worker' as HandlerKind,
    })),
  ];
  for (const e of entries) {
    const outfile = join(dir, e.id, 'index.mjs');
    mkdirSync(join(dir, e.id), { recursive: true });
    await build({ ...esbuildOptions(outfile), entryPoints: [join(REPO_ROOT, e.entry)] });
    targets.push({
      id: e.id,
      kind: e.kind,
      memoryMb: e.memoryMb,
      file: outfile,
      budget: e.kind === 'pdf' ? BUDGET.pdf : BUDGET.api,
    });
  }
  // The floor: @aws-sdk/client-dynamodb alone (the whole package), minified the same way.
  for (const [id, contents] of [
    ['floor:client-dynamodb', "export * from '@aws-sdk/client-dynamodb';"],
    [
      'ref:DynamoDBClient+GetItem',
      "export { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';",
    ],
  ] as const) {
    const outfile = join(dir, id.replace(/[^a-z0-9]+/gi, '-'), 'index.mjs');
    await build({
      ...esbuildOptions(outfile),
      stdin: { contents, resolveDir: REPO_ROOT, loader: 'js', sourcefile: `${id}.js` },
    });
    targets.push({ id, kind: 'floor', memoryMb: 0, file: outfile });
  }
  const sizes = targets.map((t) => {
    const code = readFileSync(t.file);
    return {
      id: t.id,
      minifiedBytes: code.length,
      gzipBytes: gzipSync(code, { level: 9 }).length,
      sourceMapBytes: statSync(`${t.file}.map`).size,
    };
  });
  return { targets, sizes };
}

/**
 * What Lambda sets for these functions: the runtime's own variables, and the function environment the
 * CDK stack sets (infra/function-env.ts), with stand-in values.
 */
export function benchEnvironment(seal: SealEnvironment): Record<string, string> {
  const issuer = 'https://cognito-idp.me-central-1.amazonaws.com/me-central-1_bench';
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    LANG: 'C.UTF-8',
    AWS_DEFAULT_REGION: 'me-central-1',
    AWS_LAMBDA_FUNCTION_NAME: 'bench',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...functionEnvironment({
      tableName: 'consents-bench',
      appUrl: 'https://consents.example.test',
      mailFrom: 'Demo Aesthetics Clinic <consents@demo-clinic.example.test>',
      linkTtlDays: 7,
      jwt: { issuer, audience: 'bench-client', jwksUrl: `${issuer}/.well-known/jwks.json` },
      staffSignIn: {
        cognitoDomain: 'https://bench.auth.me-central-1.amazoncognito.com',
        clientId: 'bench-client',
      },
      serviceName: 'consents',
      region: 'me-central-1',
      seal,
      folders: {
        fontDir: join(REPO_ROOT, 'templates/fonts'),
        assetDir: join(REPO_ROOT, 'templates/pages/assets'),
      },
    }),
  };
}

const LOADER = `const t0 = performance.now();
if (process.argv[2]) await import(process.argv[2]);
const importMs = performance.now() - t0;
const cpu = process.cpuUsage();
process.stdout.write(JSON.stringify({ importMs, cpuMs: (cpu.user + cpu.system) / 1000 }));
`;

interface Sample {
  wallMs: number;
  importMs: number;
  /** CPU time of the whole process (user + system): barely inflated by other load on the machine. */
  cpuMs: number;
}

function spawnOnce(
  loader: string,
  target: Target | undefined,
  env: Record<string, string>,
): Sample | { error: string } {
  const t0 = process.hrtime.bigint();
  const out = spawnSync(process.execPath, [loader, ...(target ? [pathToFileURL(target.file).href] : [])], {
    env,
    encoding: 'utf8',
  });
  const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (out.status !== 0)
    return {
      error:
        (out.stderr || out.stdout || `exit ${out.status}`).split('\n').find((l) => /Error|error/.test(l)) ??
        out.stderr.slice(0, 300),
    };
  const { importMs, cpuMs } = JSON.parse(out.stdout) as { importMs: number; cpuMs: number };
  return { wallMs, importMs, cpuMs };
}

export interface InitResult {
  id: string;
  kind: HandlerKind;
  budget?: number;
  /** Wall time of `node loader.mjs <bundle>` minus `node loader.mjs` in the same round. */
  addedMs: Spread;
  /** addedMs divided by the floor's addedMs of the same round (p50/p95 over rounds): the budget figure. */
  ratio: Spread;
  /** Median addedMs over the floor's median addedMs: a cross-check less sensitive to one slow round. */
  ratioOfMedians: number;
  /** The import() alone, timed inside the child (no process start noise). */
  importMs: Spread;
  importRatio: Spread;
  /** Process CPU time added over a bare start, and its ratio to the floor's: a cross-check that load on a
   *  shared machine barely moves (wall time is what Lambda bills; CPU time is what the bundle costs). */
  cpuMs: Spread;
  cpuRatio: Spread;
  error?: string;
}

/**
 * Rounds of fresh processes, targets shuffled within each round (so drift and background load hit
 * every target alike); each handler's cost is taken against the bare start and the floor of its round.
 */
export function measureInit(
  dir: string,
  targets: Target[],
  rounds: number,
  env: Record<string, string>,
): { bare: Spread; bareCpu: Spread; results: InitResult[] } {
  const loader = join(dir, 'load.mjs');
  writeFileSync(loader, LOADER);
  const floor = targets.find((t) => t.id === 'floor:client-dynamodb') as Target;
  const samples = new Map<string, Sample[]>();
  const errors = new Map<string, string>();
  const bare: number[] = [];
  const bareCpu: number[] = [];
  // Warm the file cache and V8's code cache paths once before measuring.
  for (const t of targets) spawnOnce(loader, t, env);
  // The bare start and the floor are the denominators of every ratio: three of each per round (their
  // median is the round's value), so one slow spawn does not skew a whole round.
  const REPEATS = 3;
  for (let r = 0; r < rounds; r++) {
    const order = shuffle([
      ...Array.from({ length: REPEATS }, () => undefined),
      ...targets,
      ...Array.from({ length: REPEATS - 1 }, () => floor),
    ]);
    const round = new Map<string, Sample[]>();
    const bareRound: Sample[] = [];
    for (const t of order) {
      const s = spawnOnce(loader, t, env);
      if ('error' in s) {
        if (t) errors.set(t.id, s.error);
        continue;
      }
      if (!t) bareRound.push(s);
      else round.set(t.id, [...(round.get(t.id) ?? []), s]);
    }
    const bareMs = median(bareRound.map((s) => s.wallMs));
    const bareCpuMs = median(bareRound.map((s) => s.cpuMs));
    bare.push(bareMs);
    bareCpu.push(bareCpuMs);
    for (const [id, list] of round) {
      const pick = (f: (s: Sample) => number) => median(list.map(f));
      samples.set(id, [
        ...(samples.get(id) ?? []),
        {
          wallMs: pick((s) => s.wallMs) - bareMs,
          importMs: pick((s) => s.importMs),
          cpuMs: pick((s) => s.cpuMs) - bareCpuMs,
        },
      ]);
    }
  }
  const floorSamples = samples.get(floor.id) ?? [];
  const results = targets.map((t) => {
    const mine = samples.get(t.id) ?? [];
    const ratios = mine.map((s, i) => s.wallMs / (floorSamples[i]?.wallMs ?? Number.NaN));
    const importRatios = mine.map((s, i) => s.importMs / (floorSamples[i]?.importMs ?? Number.NaN));
    const cpuRatios = mine.map((s, i) => s.cpuMs / (floorSamples[i]?.cpuMs ?? Number.NaN));
    return {
      id: t.id,
      kind: t.kind,
      ...(t.budget ? { budget: t.budget } : {}),
      addedMs: spread(mine.map((s) => s.wallMs)),
      ratio: spread(ratios, 2),
      ratioOfMedians:
        Math.round((median(mine.map((s) => s.wallMs)) / median(floorSamples.map((s) => s.wallMs))) * 100) /
        100,
      importMs: spread(mine.map((s) => s.importMs)),
      importRatio: spread(importRatios, 2),
      cpuMs: spread(mine.map((s) => s.cpuMs)),
      cpuRatio: spread(cpuRatios, 2),
      ...(errors.has(t.id) ? { error: errors.get(t.id) } : {}),
    };
  });
  return { bare: spread(bare), bareCpu: spread(bareCpu), results };
}

export const median = (xs: number[]) => percentile(xs, 50);
