// Marks a plugin so that what it registers (hooks, decorators) applies to the whole app rather than to its own
// encapsulated child, the way fastify-plugin does, without another dependency.
import type { FastifyInstance } from 'fastify';

export function unencapsulated<O>(
  plugin: (app: FastifyInstance, options: O) => Promise<void>,
): (app: FastifyInstance, options: O) => Promise<void> {
  (plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
  return plugin;
}
