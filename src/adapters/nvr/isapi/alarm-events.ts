// The AlarmEvents and AlarmOutputs ports over ISAPI: each subscription follows the recorder's alertStream
// (reconnecting by itself) and yields its IO events, closing the iterator stops the stream; an alarm output is set
// with the IO trigger call. The nvr-io button and its confirmation signal use them.
import type { AlarmEvent, AlarmEvents, AlarmOutputs } from '../../../core/ports/alarm-events.js';
import { type AlertStreamOptions, AlertStreamWatcher } from './alert-stream.js';
import type { IsapiClient } from './client.js';

export function isapiAlarmEvents(
  client: IsapiClient,
  options: Pick<AlertStreamOptions, 'silenceMs' | 'backoffMs' | 'maxBackoffMs' | 'onState'> = {},
): () => AlarmEvents {
  return () => ({
    [Symbol.asyncIterator](): AsyncIterator<AlarmEvent> {
      const queue: AlarmEvent[] = [];
      let wake: ((r: IteratorResult<AlarmEvent>) => void) | undefined;
      let done = false;
      const watcher = new AlertStreamWatcher(client, {
        ...options,
        onEvent: (e) => {
          if (e.eventType !== 'IO' || e.inputIOPortID === undefined || done) return;
          const at = e.dateTime ? new Date(e.dateTime) : undefined;
          const ev: AlarmEvent = {
            kind: 'io',
            input: e.inputIOPortID,
            active: e.eventState === 'active',
            ...(at && !Number.isNaN(at.getTime()) ? { at } : {}),
          };
          if (wake) {
            const w = wake;
            wake = undefined;
            w({ done: false, value: ev });
          } else queue.push(ev);
        },
      });
      watcher.start();
      return {
        next() {
          const ev = queue.shift();
          if (ev) return Promise.resolve({ done: false, value: ev });
          if (done) return Promise.resolve({ done: true, value: undefined });
          return new Promise((resolve) => {
            wake = resolve;
          });
        },
        async return() {
          done = true;
          wake?.({ done: true, value: undefined });
          wake = undefined;
          await watcher.stop();
          return { done: true, value: undefined };
        },
      };
    },
  });
}

export class IsapiAlarmOutputs implements AlarmOutputs {
  readonly #client: IsapiClient;

  constructor(client: IsapiClient) {
    this.#client = client;
  }

  async setOutput(output: number, active: boolean): Promise<void> {
    await this.#client.request(
      'PUT',
      `/ISAPI/System/IO/outputs/${output}/trigger`,
      `alarm output ${output}`,
      `<?xml version="1.0" encoding="UTF-8"?><IOPortData version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema"><outputState>${active ? 'high' : 'low'}</outputState></IOPortData>`,
    );
  }
}
