// English words for what the appliance's services report about its parts (the status strip's reasons): each
// report carries a code (core/ports/status-service.ts PartHealth.code) and pages say it from here, in the reader's
// language, server-side and in common.js alike (hence js.); a report without a code shows its English detail.
import type { Message } from './i18n.js';

export const statusEn = {
  'js.why.notReported': 'Not reported yet',
  'js.why.diskUnreadable': 'Cannot read the data disk',
  'js.why.diskLow': 'Data disk nearly full',
  'js.why.diskRoom': 'Data disk has room',
  'js.why.clockSynced': 'Clock synchronised',
  'js.why.clockNotSynced': 'Clock not synchronised: times in reports may be wrong',
  'js.why.clockUnknown': 'Clock synchronisation unknown',
  'js.why.sendingNotSetUp': 'Sending is not set up',
  'js.why.brokerConnected': 'Connected to the broker',
  'js.why.brokerDown': 'Not connected to the broker. Reports wait in the queue and are sent once it connects.',
  'js.why.brokerDownBecause':
    'Not connected to the broker: {why}. Reports wait in the queue and are sent once it connects.',
  'js.why.noAck': 'No report acknowledged since start',
  'js.why.lastAckNow': 'Last report acknowledged just now',
  'js.why.lastAck': {
    one: 'Last report acknowledged {n} minute ago',
    other: 'Last report acknowledged {n} minutes ago',
  },
  'js.why.recorderAnswering': 'Recorder answering',
  'js.why.recorderNotAnswering': 'Recorder not answering',
} satisfies Record<string, Message>;

export type StatusMessageKey = keyof typeof statusEn;
