// The AlarmEvents port over ISAPI: each subscription follows the recorder's alertStream (reconnecting by itself)
// and yields its IO events; closing the iterator stops the stream. The nvr-io button consumes it.
import type { AlarmEvent, AlarmEvents } from '../../../core/ports/alarm-events.js';
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
