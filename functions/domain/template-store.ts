import { createHash } from 'node:crypto';
import mesotherapy from '../../templates/treatments/mesotherapy.json' with { type: 'json' };
import { type TreatmentTemplate, treatmentTemplateSchema } from './template';

/**
 * Where the template files live, relative to this module in the source tree. Runtime loading does not
 * read from here: esbuild bundles each Lambda into a single file with no templates/ folder beside it, so
 * the JSON is imported statically below and travels inside the bundle. Tooling and tests use this to check
 * that every file on disk is registered. A function, not a constant, because `import.meta.url` is not
 * meaningful in a CommonJS bundle and must not be touched at module load.
 */
export function templateFileUrl(id: string): URL {
  return new URL(`../../templates/treatments/${id}.json`, import.meta.url);
}

/** Every shipped treatment template, by id. Adding a treatment = adding its JSON file and one line here. */
const RAW_TEMPLATES: Record<string, unknown> = { mesotherapy };

/**
 * Parsed once per container, on first use rather than at import: validating the template with zod costs
 * ~25 ms, which every cold start of every function paid, also those that never read a template
 * (docs/bench.md). A malformed template still cannot ship: the unit tests parse every template file with
 * this schema, and the first request that needs it fails loudly.
 */
let templates: ReadonlyMap<string, TreatmentTemplate> | undefined;

function registry(): ReadonlyMap<string, TreatmentTemplate> {
  templates ??= new Map(
    Object.entries(RAW_TEMPLATES).map(([id, raw]) => {
      const template = treatmentTemplateSchema.parse(raw);
      if (template.id !== id) {
        throw new Error(`Treatment template registered as "${id}" declares id "${template.id}"`);
      }
      // Frozen: the SHA-256 and the cached answers schema describe this exact content, so nobody may edit it.
      return [id, deepFreeze(template)];
    }),
  );
  return templates;
}

/** The treatment template with this id, or undefined when no such treatment is offered. */
export function loadTemplate(id: string): TreatmentTemplate | undefined {
  return registry().get(id);
}

/** Ids of every registered treatment template. */
export function templateIds(): string[] {
  return [...registry().keys()];
}

const sha256Cache = new WeakMap<object, string>();

/**
 * SHA-256 (hex) of the template's canonical JSON (object keys sorted at every level, arrays in order),
 * so the evidence names the exact content the patient saw, independent of key order or whitespace in the
 * file. Hashes the parsed template, i.e. with schema defaults (e.g. `conditional: false`) filled in.
 */
export function templateSha256(template: TreatmentTemplate): string {
  const cached = sha256Cache.get(template);
  if (cached !== undefined) return cached;
  const digest = createHash('sha256').update(canonicalJson(template), 'utf8').digest('hex');
  if (Object.isFrozen(template)) sha256Cache.set(template, digest);
  return digest;
}

/** JSON with object keys sorted recursively; undefined-valued keys are dropped, as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const child = (value as Record<string, unknown>)[key];
      if (child !== undefined) sorted[key] = sortKeys(child);
    }
    return sorted;
  }
  return value;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
