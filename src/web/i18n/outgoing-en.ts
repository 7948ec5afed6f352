// English words for what a packet carries about its own images, shown alike on the review page and the hub page:
// the redaction certificate per image (checked again after blurring, or not, and what stood in for it), and the one
// retention sentence the preview, the incident page and the hub page all quote. outgoing-cy.ts has every key.
import type { Message } from './i18n.js';

export const outgoingEn = {
  'verify.heading': 'Faces checked again',
  'verify.passes': { one: '{n} pass', other: '{n} passes' },
  'verify.moreFaces': { one: '{n} more face', other: '{n} more faces' },
  'verify.checked': 'Checked again after blurring: no face found ({passes})',
  'verify.checkedFound': 'Checked again after blurring: {faces} found and blurred too, then none ({passes})',
  'verify.none':
    'Not checked again after blurring: a weaker face finder (BlazeFace) stood in, so the reviewer’s confirmation that no face was left stood in for the check',
  'verify.pending': 'Checking the blurred images again…',
  'verify.failed': 'The check could not be shown just now; the images are checked again when the packet is made.',
  'verify.image': '{image}: {result}',
  'verify.subject': 'Subject crop',
  'verify.context': 'Still {n}',
  'verify.packet': 'Every image checked again after blurring: no face found ({passes})',
  'verify.packetFound': 'Every image checked again after blurring: {faces} found and blurred too, then none ({passes})',
  'verify.packetNone':
    'No certificate: these images were not checked again after blurring (a weaker face finder stood in, or they were made outside the appliance); a person’s confirmation stood in for the check',
  'verify.imageChecked': 'checked again',
  'verify.imageNotChecked': 'not checked again',
  'retention.partnership':
    'The partnership shares it with members for {first} months ({further} months after a further report about the same person), then keeps it {admin} months for its administrator only, then deletes it.',
} satisfies Record<string, Message>;

export type OutgoingMessageKey = keyof typeof outgoingEn;
