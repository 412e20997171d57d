import type { Clock } from '../../functions/workflow/ports';

/** A clock that stands still until told: `advance(ms)` or `set(iso)`. */
export class SteppingClock implements Clock {
  private current: number;

  constructor(start: string | Date = '2026-11-21T08:00:00.000Z') {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): this {
    this.current += ms;
    return this;
  }

  set(at: string | Date): this {
    this.current = new Date(at).getTime();
    return this;
  }

  iso(): string {
    return this.now().toISOString();
  }
}
