import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Loads a handler module by its route-table entry, like Lambda does from the bundle (cached). */
const ROOT = resolve(import.meta.dirname, '../..');
const loaded = new Map<
  string,
  Promise<{ handler: (event: unknown, context: unknown) => Promise<unknown> }>
>();

export function loadHandler(entry: string) {
  let mod = loaded.get(entry);
  if (!mod) {
    mod = import(pathToFileURL(resolve(ROOT, entry)).href);
    loaded.set(entry, mod);
  }
  return mod.then((m) => m.handler);
}
