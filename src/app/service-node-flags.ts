// The V8 flags the appliance service runs under (systemd/bcrp-edge.service's ExecStart; `bench idle` starts the
// service with the same ones, so what it measures is what a shop runs). Measured with `npm run idle:full` on the
// shared 2-core machine: the young generation had grown to its default 16 MB semi-spaces during start-up and stayed
// there while idle (about 25 MB of RSS), and each extra V8 worker thread kept its own malloc arena (about 5 MB).
// Capture and redaction move pixels in Buffers outside the V8 heap, so smaller semi-spaces cost little there.
export const SERVICE_NODE_FLAGS = ['--max-semi-space-size=1', '--v8-pool-size=1'] as const;
