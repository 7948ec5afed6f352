// Runs `bench publish` until the lead wires it into src/cli/bench.ts:
//   node --import tsx test/support/run-bench-publish.ts [--packets N] [--plain] [--json]
import { benchPublishCommand } from '../../src/cli/bench-publish.js';

const code = await benchPublishCommand.run!(process.argv.slice(2), {
  out: (l) => console.log(l),
  err: (l) => console.error(l),
  env: process.env,
  stopSignal: new Promise(() => {}),
});
process.exit(code);
