// Welsh for outgoing-en.ts (machine-assisted, like messages-cy.ts; see docs/web.md).
import type { Message } from './i18n.js';
import type { OutgoingMessageKey } from './outgoing-en.js';

export const outgoingCy = {
  'verify.heading': 'Wynebau wedi’u gwirio eto',
  'verify.passes': { one: '{n} gwiriad', other: '{n} gwiriad' },
  'verify.moreFaces': { one: '{n} wyneb arall', other: '{n} wyneb arall' },
  'verify.checked': 'Gwiriwyd eto ar ôl niwlio: dim wyneb wedi’i ganfod ({passes})',
  'verify.checkedFound': 'Gwiriwyd eto ar ôl niwlio: canfuwyd {faces} a’u niwlio hefyd, yna dim ({passes})',
  'verify.none':
    'Heb ei wirio eto ar ôl niwlio: roedd canfyddwr wynebau gwannach (BlazeFace) yn dirprwyo, felly cadarnhad yr adolygydd nad oedd wyneb ar ôl a safodd yn lle’r gwiriad',
  'verify.pending': 'Wrthi’n gwirio’r delweddau wedi’u niwlio eto…',
  'verify.failed': 'Nid oedd modd dangos y gwiriad nawr; caiff y delweddau eu gwirio eto pan wneir y pecyn.',
  'verify.image': '{image}: {result}',
  'verify.subject': 'Llun agos o’r gwrthrych',
  'verify.context': 'Llun {n}',
  'verify.packet': 'Pob delwedd wedi’i gwirio eto ar ôl niwlio: dim wyneb wedi’i ganfod ({passes})',
  'verify.packetFound':
    'Pob delwedd wedi’i gwirio eto ar ôl niwlio: canfuwyd {faces} a’u niwlio hefyd, yna dim ({passes})',
  'verify.packetNone':
    'Dim tystysgrif: ni chafodd y delweddau hyn eu gwirio eto ar ôl niwlio (roedd canfyddwr wynebau gwannach yn dirprwyo, neu fe’u gwnaed y tu allan i’r ddyfais); cadarnhad person a safodd yn lle’r gwiriad',
  'verify.imageChecked': 'wedi’i gwirio eto',
  'verify.imageNotChecked': 'heb ei gwirio eto',
  'retention.partnership':
    'Mae’r bartneriaeth yn ei rannu ag aelodau am {first} mis ({further} mis ar ôl adroddiad arall am yr un person), yna’n ei gadw am {admin} mis i’w gweinyddwr yn unig, yna’n ei ddileu.',
} satisfies Record<OutgoingMessageKey, Message>;
