/** Small statistics and table helpers for the benchmark. */

export interface Spread {
  p50: number;
  p95: number;
  n: number;
}

/** Nearest-rank percentile (no interpolation): p50/p95 are values that were actually measured. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export function spread(values: number[], digits = 1): Spread {
  const f = 10 ** digits;
  return {
    p50: Math.round(percentile(values, 50) * f) / f,
    p95: Math.round(percentile(values, 95) * f) / f,
    n: values.length,
  };
}

export function shuffle<T>(items: T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j] as T, a[i] as T];
  }
  return a;
}

/** A plain-text table: the first row is the header; numbers are right-aligned. */
export function table(rows: Array<Array<string | number>>): string {
  const cells = rows.map((r) => r.map((c) => String(c)));
  const widths = cells[0]?.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length))) ?? [];
  const line = (r: string[]) =>
    r
      .map((c, i) =>
        typeof rows[cells.indexOf(r)]?.[i] === 'number'
          ? c.padStart(widths[i] ?? 0)
          : c.padEnd(widths[i] ?? 0),
      )
      .join('  ');
  const [head, ...body] = cells;
  return [line(head ?? []), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

export const kb = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;
