// The pages' live updates (capture progress, the clip, the police master) as server-sent events: one way to open,
// feed, keep alive and close a stream, so every live route behaves alike when a tab closes.
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * A server-sent event stream on a hijacked reply: `first` (when known) goes out at once, `subscribe` pushes each
 * change as one `name` event, `end` says when to close after a push; a heartbeat keeps proxies from closing it.
 */
export function eventStream<E>(
  request: FastifyRequest,
  reply: FastifyReply,
  first: E | undefined,
  subscribe: (push: (e: E) => void) => () => void,
  name: string,
  end: (e: E) => boolean,
): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    connection: 'keep-alive',
  });
  let closed = false;
  let unsubscribe: () => void = () => {};
  const heartbeat = setInterval(() => res.write(': still here\n\n'), 15_000);
  const close = () => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    unsubscribe();
    res.end();
  };
  request.raw.on('close', close);
  const push = (e: E) => {
    if (closed) return;
    res.write(`event: ${name}\ndata: ${JSON.stringify(e)}\n\n`);
    if (end(e)) setImmediate(close);
  };
  unsubscribe = subscribe(push);
  if (first !== undefined) push(first);
  if (closed) unsubscribe();
}
