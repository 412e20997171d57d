import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { routes, workers } from '../../infra/routes';

/** `events/` holds a sample event for every handler, shaped like what API Gateway / Lambda sends. */
describe('sample events', () => {
  const files = readdirSync('events');
  it('exist for every route and worker', () => {
    for (const id of [...routes.map((r) => r.id), ...Object.values(workers).map((w) => w.id)]) {
      expect(files).toContain(`${id}.json`);
    }
  });
  it('are API Gateway v2 events whose routeKey matches the route table', () => {
    for (const r of routes) {
      const e = JSON.parse(readFileSync(`events/${r.id}.json`, 'utf8'));
      expect(e.version).toBe('2.0');
      expect(e.routeKey).toBe(`${r.method} ${r.path}`);
      expect(e.requestContext.http.method).toBe(r.method);
    }
  });
});
