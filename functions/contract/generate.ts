import { readFileSync, writeFileSync } from 'node:fs';
import { routes } from '../../infra/routes';
import { contract } from './index';
import { buildOpenApi } from './openapi';
import { renderReference } from './reference';

/** The committed files `npm run openapi` writes; test/unit/openapi.test.ts fails when they drift. */
export const GENERATED = { document: 'docs/openapi.json', reference: 'docs/api-reference.md' } as const;

export function generate(): { document: string; reference: string } {
  const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string; description: string };
  const doc = buildOpenApi(routes, contract, {
    title: 'Mesotherapy intake & consent',
    version: pkg.version,
    description: `${pkg.description}. The contract is /shared/design/API.md; this document is generated from infra/routes.ts and functions/contract/.`,
  });
  return { document: `${JSON.stringify(doc, null, 2)}\n`, reference: renderReference(doc) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = generate();
  writeFileSync(GENERATED.document, out.document);
  writeFileSync(GENERATED.reference, out.reference);
  process.stdout.write(`wrote ${GENERATED.document} and ${GENERATED.reference}\n`);
}
