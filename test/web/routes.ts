// Every route the web app registers, read from fastify itself (onRoute), so that the security and hostile-input
// tests cover a route the day it is added without anyone listing it.
import type { FastifyInstance } from 'fastify';

export interface RouteInfo {
  method: string;
  url: string;
  permission?: string;
  signedIn?: boolean;
  csrf?: boolean;
}

/** Call before app.ready(): routes are registered while plugins load. */
export function collectRoutes(app: FastifyInstance): RouteInfo[] {
  const routes: RouteInfo[] = [];
  app.addHook('onRoute', (r) => {
    const config = (r.config ?? {}) as { permission?: string; signedIn?: boolean; csrf?: boolean };
    for (const method of [r.method].flat()) {
      routes.push({
        method: String(method),
        url: r.url,
        ...(config.permission ? { permission: config.permission } : {}),
        ...(config.signedIn ? { signedIn: true } : {}),
        ...(config.csrf === false ? { csrf: false } : {}),
      });
    }
  });
  return routes;
}

/** A concrete URL for a route pattern: parameters and wildcards replaced by the given values. */
export function fill(url: string, values: Record<string, string> = {}, fallback = 'x'): string {
  return url
    .replace(/:(\w+)/g, (_m, name: string) => encodeURIComponent(values[name] ?? fallback))
    .replace(/\*$/, values['*'] ?? 'app.css');
}
