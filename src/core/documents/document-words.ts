// The words of the documents the appliance and the hub hand to people outside them — the subject access cover sheet
// and the exclusion notice — in English and Welsh. Documents are written in the language the requester or operator
// chooses (`--lang cy`, or the language of the page that made them), whole: test/unit/document-words.test.ts fails
// when a Welsh document would fall back to an English sentence. The Welsh is machine-assisted (docs/web.md).

export const DOC_LANGS = ['en', 'cy'] as const;
export type DocLang = (typeof DOC_LANGS)[number];

export function isDocLang(s: unknown): s is DocLang {
  return typeof s === 'string' && (DOC_LANGS as readonly string[]).includes(s);
}

/** "2 December 2026" / "2 Rhagfyr 2026" (the date in UTC, as the documents record it). */
export function docDate(lang: DocLang, iso: string): string {
  return new Date(iso).toLocaleDateString(lang === 'cy' ? 'cy-GB' : 'en-GB', {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    timeZone: 'UTC',
  });
}

export interface SarCoverWords {
  title: string;
  reference: string;
  site: string;
  preparedLabel: string;
  imagesLabel: string;
  prepared: (at: string, by: string) => string;
  images: (n: number) => string;
  obscured: string[];
  answerWithin: (days: number) => string;
  contents: string;
  item: (facesObscured: number, requesterShown: boolean) => string;
  manifest: string;
  signed: (keyId: string) => string;
}

export const SAR_COVER_WORDS: Record<DocLang, SarCoverWords> = {
  en: {
    title: 'SUBJECT ACCESS REQUEST: CCTV STILLS',
    reference: 'Request reference:',
    site: 'Site:',
    preparedLabel: 'Prepared:',
    imagesLabel: 'Images:',
    prepared: (at, by) => `${at} by ${by}`,
    images: (n) => `${n} (folder images/)`,
    obscured: [
      'Every person other than the requester has been obscured on the appliance before export. Where the',
      'requester could not be identified in an image, every face in it has been obscured.',
    ],
    answerWithin: (days) => `The request must be answered within ${days} days of receipt.`,
    contents: 'Contents:',
    item: (n, shown) => `(${n} face(s) obscured${shown ? ', requester shown' : ''})`,
    manifest: 'manifest.json sha256',
    signed: (keyId) =>
      `cover-sheet.jws is this sheet's data signed by the appliance (EdDSA, key ${keyId}; public key in signing-key.pub.pem).`,
  },
  cy: {
    title: 'CAIS GWRTHRYCH AM FYNEDIAD: LLUNIAU TELEDU CYLCH CYFYNG',
    reference: 'Cyfeirnod y cais:',
    site: 'Safle:',
    preparedLabel: 'Paratowyd:',
    imagesLabel: 'Delweddau:',
    prepared: (at, by) => `${at} gan ${by}`,
    images: (n) => `${n} (ffolder images/)`,
    obscured: [
      'Mae pob person ar wahân i’r ceisydd wedi’i guddio ar y ddyfais cyn allforio. Lle nad oedd modd',
      'adnabod y ceisydd mewn delwedd, mae pob wyneb ynddi wedi’i guddio.',
    ],
    answerWithin: (days) => `Rhaid ateb y cais o fewn ${days} diwrnod i’w dderbyn.`,
    contents: 'Cynnwys:',
    item: (n, shown) => `(${n} wyneb wedi’u cuddio${shown ? ', y ceisydd i’w weld' : ''})`,
    manifest: 'manifest.json sha256',
    signed: (keyId) =>
      `cover-sheet.jws yw data’r ddalen hon wedi’i llofnodi gan y ddyfais (EdDSA, allwedd ${keyId}; yr allwedd gyhoeddus yn signing-key.pub.pem).`,
  },
};

export interface ExclusionNoticeWords {
  title: (id: string) => string;
  heading: (scheme: string) => string;
  ref: (id: string, subjectRef: string) => string;
  to: (name: string | null) => string;
  meansHeading: string;
  whereScheme: string;
  whereSite: (site: string) => string;
  /** The sentence with its dates and place: parts around the bold ones. */
  means: (where: string, from: string, until: string, months: number) => string;
  whyHeading: string;
  appealHeading: string;
  dataHeading: string;
  recorded: (date: string) => string;
  served: (date: string) => string;
  /** Seed 001's defaults, used when the scheme's configuration gives none. */
  defaultAppealRoute: string;
  defaultPrivacyNotice: string;
  defaultSchemeName: string;
}

const EN_APPEAL =
  "Write to the scheme administrator within 28 days of this notice, saying why the exclusion should be lifted; the scheme's Board of Management decides and answers in writing.";
const EN_PRIVACY =
  "The scheme processes your name, facial image and reports about incidents to protect its members' property, staff and customers (legitimate interests). Your data is shared with members for 12 months after a report, or 24 months after a second report, then kept by the administrator only for 12 months, then deleted. You may ask for a copy of the data held about you (answered within 30 days) and for incorrect data to be corrected, and you may complain to the Information Commissioner's Office.";

export const EXCLUSION_NOTICE_WORDS: Record<DocLang, ExclusionNoticeWords> = {
  en: {
    title: (id) => `Exclusion notice ${id}`,
    heading: (scheme) => `${scheme}: exclusion notice`,
    ref: (id, subjectRef) => `Notice ${id} · subject reference ${subjectRef}`,
    to: (name) => `To: ${name ?? 'the person shown in the scheme’s records under the reference above'}`,
    meansHeading: 'What this notice means',
    whereScheme: 'all premises of all members of the scheme',
    whereSite: (site) => `the premises of member site ${site}`,
    means: (where, from, until, months) =>
      `You are excluded from <strong>${where}</strong> from <strong>${from}</strong> until <strong>${until}</strong> (${months} month${months === 1 ? '' : 's'}). Members of the scheme are told of this exclusion while it lasts. If you enter those premises during this time you may be asked to leave.`,
    whyHeading: 'Why',
    appealHeading: 'How to appeal',
    dataHeading: 'Your data',
    recorded: (date) => `Recorded ${date}`,
    served: (date) => `served ${date}`,
    defaultAppealRoute: EN_APPEAL,
    defaultPrivacyNotice: EN_PRIVACY,
    defaultSchemeName: 'the Business Crime Reduction Partnership',
  },
  cy: {
    title: (id) => `Hysbysiad gwahardd ${id}`,
    heading: (scheme) => `${scheme}: hysbysiad gwahardd`,
    ref: (id, subjectRef) => `Hysbysiad ${id} · cyfeirnod y sawl dan sylw ${subjectRef}`,
    to: (name) => `At: ${name ?? 'y person a ddangosir yng nghofnodion y cynllun dan y cyfeirnod uchod'}`,
    meansHeading: 'Beth mae’r hysbysiad hwn yn ei olygu',
    whereScheme: 'holl safleoedd holl aelodau’r cynllun',
    whereSite: (site) => `safle’r aelod ${site}`,
    means: (where, from, until, months) =>
      `Rydych wedi’ch gwahardd o <strong>${where}</strong> o <strong>${from}</strong> hyd at <strong>${until}</strong> (${months} mis). Caiff aelodau’r cynllun wybod am y gwaharddiad hwn tra bydd yn para. Os byddwch yn mynd i’r safleoedd hynny yn ystod y cyfnod hwn, efallai y gofynnir i chi adael.`,
    whyHeading: 'Pam',
    appealHeading: 'Sut i apelio',
    dataHeading: 'Eich data',
    recorded: (date) => `Cofnodwyd ${date}`,
    served: (date) => `cyflwynwyd ${date}`,
    defaultAppealRoute:
      'Ysgrifennwch at weinyddwr y cynllun o fewn 28 diwrnod i’r hysbysiad hwn, gan ddweud pam y dylid codi’r gwaharddiad; Bwrdd Rheoli’r cynllun sy’n penderfynu ac yn ateb yn ysgrifenedig.',
    defaultPrivacyNotice:
      'Mae’r cynllun yn prosesu eich enw, delwedd o’ch wyneb ac adroddiadau am ddigwyddiadau i ddiogelu eiddo, staff a chwsmeriaid ei aelodau (buddiannau dilys). Caiff eich data eu rhannu ag aelodau am 12 mis ar ôl adroddiad, neu 24 mis ar ôl ail adroddiad, yna eu cadw gan y gweinyddwr yn unig am 12 mis, yna eu dileu. Gallwch ofyn am gopi o’r data a gedwir amdanoch (ateb o fewn 30 diwrnod) ac i ddata anghywir gael eu cywiro, a gallwch gwyno i Swyddfa’r Comisiynydd Gwybodaeth.',
    defaultSchemeName: 'y Bartneriaeth Lleihau Troseddau Busnes',
  },
};
