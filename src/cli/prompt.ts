// Questions on the terminal for interactive commands (provision): a default in brackets, and secrets read without
// echo so a password typed at a shop counter is not left on the screen.
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';

export interface Prompter {
  ask(question: string, defaultValue?: string): Promise<string | undefined>;
  secret(question: string): Promise<string>;
  close(): void;
}

export function terminalPrompter(
  input: NodeJS.ReadableStream = process.stdin,
  output: NodeJS.WritableStream = process.stderr,
): Prompter {
  let muted = false;
  const sink = new Writable({
    write(chunk, _enc, done) {
      if (!muted) output.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input, output: sink, terminal: true });
  // Lines are queued rather than taken with rl.question(): answers typed (or pasted) ahead of their question are
  // kept for it instead of being dropped. End of input answers every remaining question with "".
  const lines: string[] = [];
  let waiting: ((line: string) => void) | undefined;
  let ended = false;
  rl.on('line', (line) => {
    if (waiting) {
      const w = waiting;
      waiting = undefined;
      w(line);
    } else lines.push(line);
  });
  rl.on('close', () => {
    ended = true;
    waiting?.('');
    waiting = undefined;
  });
  const next = (): Promise<string> => {
    const queued = lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (ended) return Promise.resolve('');
    return new Promise((resolve) => {
      waiting = resolve;
    });
  };
  return {
    async ask(q, d) {
      sink.write(`${q}${d ? ` [${d}]` : ''}: `);
      const a = (await next()).trim();
      return a === '' ? d : a;
    },
    async secret(q) {
      sink.write(`${q}: `);
      muted = true;
      try {
        return await next();
      } finally {
        muted = false;
        output.write('\n');
      }
    },
    close: () => rl.close(),
  };
}

/** Answers from a list, for tests and for piping a script into a terminal session. */
export function scriptedPrompter(answers: string[]): Prompter & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    async ask(q, d) {
      asked.push(q);
      const a = answers.shift();
      return a === undefined || a === '' ? d : a;
    },
    async secret(q) {
      asked.push(q);
      return answers.shift() ?? '';
    },
    close() {},
  };
}
