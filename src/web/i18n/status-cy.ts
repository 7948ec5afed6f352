// Welsh for status-en.ts (machine-assisted, like messages-cy.ts; see docs/web.md).
import type { Message } from './i18n.js';
import type { StatusMessageKey } from './status-en.js';

export const statusCy = {
  'js.why.notReported': 'Dim adroddiad eto',
  'js.why.diskUnreadable': 'Methu darllen y ddisg ddata',
  'js.why.diskLow': 'Mae’r ddisg ddata bron yn llawn',
  'js.why.diskRoom': 'Mae lle ar y ddisg ddata',
  'js.why.clockSynced': 'Cloc wedi’i gydamseru',
  'js.why.clockNotSynced': 'Nid yw’r cloc wedi’i gydamseru: gall amseroedd mewn adroddiadau fod yn anghywir',
  'js.why.clockUnknown': 'Ni wyddys a yw’r cloc wedi’i gydamseru',
  'js.why.sendingNotSetUp': 'Nid yw anfon wedi’i osod',
  'js.why.brokerConnected': 'Wedi cysylltu â’r brocer',
  'js.why.brokerDown':
    'Heb gysylltu â’r brocer. Mae adroddiadau’n aros yn y ciw ac yn cael eu hanfon pan fydd yn cysylltu.',
  'js.why.brokerDownBecause':
    'Heb gysylltu â’r brocer: {why}. Mae adroddiadau’n aros yn y ciw ac yn cael eu hanfon pan fydd yn cysylltu.',
  'js.why.noAck': 'Dim adroddiad wedi’i gydnabod ers cychwyn',
  'js.why.lastAckNow': 'Cydnabuwyd yr adroddiad diwethaf newydd nawr',
  'js.why.lastAck': {
    one: 'Cydnabuwyd yr adroddiad diwethaf {n} munud yn ôl',
    other: 'Cydnabuwyd yr adroddiad diwethaf {n} munud yn ôl',
  },
  'js.why.recorderAnswering': 'Y recordydd yn ateb',
  'js.why.recorderNotAnswering': 'Nid yw’r recordydd yn ateb',
} satisfies Record<StatusMessageKey, Message>;
