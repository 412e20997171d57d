/**
 * The size DynamoDB counts for an item (as the document client marshals it), by the rules AWS documents:
 * a string is its UTF-8 bytes, a binary its length, a number about one byte per two significant digits plus
 * one, a boolean or null one byte, a list or map 3 bytes plus one a member (and a map member's name); every
 * top-level attribute adds its name. An item is at most 400 KB (409,600 bytes) of this.
 */
export const MAX_ITEM_BYTES = 400 * 1024;

export function itemSize(item: Record<string, unknown>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) {
    if (value !== undefined) size += utf8(name) + valueSize(value);
  }
  return size;
}

function valueSize(value: unknown): number {
  if (value === null || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return utf8(value);
  if (typeof value === 'number')
    return Math.ceil(String(Math.abs(value)).replace(/[.e+-]/g, '').length / 2) + 1;
  if (value instanceof Uint8Array) return value.length;
  if (Array.isArray(value)) return 3 + value.reduce((n: number, v) => n + 1 + valueSize(v), 0);
  if (typeof value === 'object') {
    let size = 3;
    for (const [k, v] of Object.entries(value)) if (v !== undefined) size += 1 + utf8(k) + valueSize(v);
    return size;
  }
  return 0;
}

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');
