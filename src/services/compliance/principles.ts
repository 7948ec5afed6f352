// The compliance report's content: for each of the 12 guiding principles of the Surveillance Camera Code and each
// BCRP retention rule, what the appliance does, what the live evidence shows, and what the operator must do.
import { HUB_RETENTION_STATEMENTS } from '../../core/packet/retention.js';
import { DAY_MS } from '../../core/retention/policy.js';
import type { ComplianceEvidence } from './evidence.js';

export type Status = 'ok' | 'operator' | 'attention';

export interface Finding {
  id: string;
  title: string;
  does: string[];
  evidence: string[];
  operator: string[];
  status: Status;
}

const yes = (b: boolean) => (b ? 'yes' : 'no');

function sweepFindings(e: ComplianceEvidence): { lines: string[]; problem: boolean } {
  const lines: string[] = [];
  let problem = false;
  if (!e.lastSweep) {
    lines.push('No retention sweep has run yet on this appliance.');
    problem = true;
  } else {
    const age = (new Date(e.generatedAt).getTime() - new Date(e.lastSweep.clockAt).getTime()) / DAY_MS;
    lines.push(
      `Last sweep ${e.lastSweep.clockAt} (${e.lastSweep.outcome}): ${e.lastSweep.deleted} deleted, ${e.lastSweep.held} incident(s) kept under hold, ${e.lastSweep.failures} failure(s).`,
    );
    if (e.lastSweep.message) lines.push(`Sweep message: ${e.lastSweep.message}`);
    if (age > 2) {
      lines.push(`The last sweep is ${Math.floor(age)} days old: the daily sweep is not running.`);
      problem = true;
    }
    if (e.lastSweep.outcome !== 'done') problem = true;
  }
  if (e.overdue > 0) {
    lines.push(`${e.overdue} item(s) are past their retention period now and will go at the next sweep.`);
    problem = true;
  } else lines.push('Nothing is past its retention period.');
  lines.push(`Next item due: ${e.nextDueAt ?? 'nothing pending'}.`);
  return { lines, problem };
}

function chainFindings(e: ComplianceEvidence): { lines: string[]; problem: boolean } {
  const c = e.chain;
  const lines = [
    c.ok
      ? `Audit chain verifies end to end: ${c.entries} entries, head ${c.headHash ?? '-'}.`
      : `AUDIT CHAIN FAILS at entry ${c.failure?.seq}: ${c.failure?.message}`,
  ];
  let missing: boolean;
  if (e.config.hub.configured) {
    const h = e.hubCheckpoints.last;
    lines.push(
      h
        ? `Signed checkpoints sent to the hub: ${e.hubCheckpoints.sent}; the last at entry ${h.seq} on ${h.time}, ${(c.lastSeq ?? 0) - h.seq} entries since.`
        : 'No signed checkpoint has been sent to the hub yet.',
    );
    missing = !h;
  } else {
    lines.push(
      e.lastCheckpoint
        ? `No hub is configured: signed checkpoints are kept on this appliance only (the last at entry ${e.lastCheckpoint.seq} on ${e.lastCheckpoint.time}, ${e.entriesSinceCheckpoint} entries since); they show a rebuilt log only once copied off the device.`
        : 'No hub is configured and no signed checkpoint has been made yet.',
    );
    missing = !e.lastCheckpoint;
  }
  return { lines, problem: !c.ok || (missing && (c.entries ?? 0) > 0) };
}

/** Mutual TLS is claimed only when a client certificate is configured and the broker took a message over it. */
function transportFindings(e: ComplianceEvidence): { lines: string[]; mutual: boolean } {
  const m = e.config;
  if (!m.hub.configured) return { lines: ['No hub is configured: nothing is published.'], mutual: false };
  const accepted = e.hubCheckpoints.last;
  const mutual = m.mqttTls && m.mqttClientCert && accepted !== null;
  const lines = [`Broker connection over TLS (mqtts://): ${yes(m.mqttTls)}.`];
  if (!m.mqttClientCert) lines.push('Mutual TLS: no (no client certificate configured).');
  else if (!m.mqttTls) lines.push('Mutual TLS: no (the broker URL is not mqtts://).');
  else if (!accepted)
    lines.push('Mutual TLS: client certificate configured, but the broker has not yet accepted a message from it.');
  else
    lines.push(
      `Mutual TLS: yes (client certificate configured; the broker accepted the checkpoint sent on ${accepted.time}).`,
    );
  return { lines, mutual };
}

/** What was checked in the store as the report was made: sealed files and overwritten deletions. */
function storeLines(e: ComplianceEvidence): string[] {
  const s = e.store;
  if (!s) return ['Store not checked for this report.'];
  const f = s.files;
  const sealed = f.checked - f.plainJpeg - f.missingKey;
  return [
    f.checked === 0
      ? 'Checked now: no image files are stored.'
      : f.plainJpeg === 0 && f.missingKey === 0 && f.unreadable === 0
        ? `Checked now: all ${f.checked} stored image file(s) are sealed (a data key on record, no readable JPEG on disk).`
        : `CHECK FAILED: of ${f.checked} stored image file(s), ${f.plainJpeg} are readable JPEGs, ${f.missingKey} have no data key, ${f.unreadable} could not be read (${sealed} sealed).`,
    `Checked now: deleted rows are overwritten in the database file (SQLite secure_delete): ${yes(s.secureDelete)}.`,
  ];
}

function storeProblem(e: ComplianceEvidence): boolean {
  const s = e.store;
  return s !== null && (!s.secureDelete || s.files.plainJpeg + s.files.missingKey + s.files.unreadable > 0);
}

/** P4: the records the store keeps now, each with the audit entry that made it. */
function auditedLines(e: ComplianceEvidence): { lines: string[]; problem: boolean } {
  const a = e.claims.audited;
  const what = `${a.incidents} incident(s), ${a.packets} packet(s) and ${a.holds} hold(s) stored`;
  if (a.missing.length === 0)
    return { lines: [`Checked now: each of the ${what} has the audit entry that made it.`], problem: false };
  return {
    lines: [
      `CHECK FAILED: of the ${what}, ${a.missing.length} have no audit entry: ${a.missing.slice(0, 5).join('; ')}${a.missing.length > 5 ? '; …' : ''}.`,
    ],
    problem: true,
  };
}

/** P2: what each packet's queue entry recorded of its redaction and of the metadata in its images. */
function redactionLines(e: ComplianceEvidence): { lines: string[]; problem: boolean } {
  const k = e.claims.packets;
  const days = e.disclosures.days;
  if (k.queued === 0) return { lines: [`No packet was queued in the last ${days} days.`], problem: false };
  const lines: string[] = [];
  const recorded = k.queued - k.unrecorded;
  if (recorded > 0)
    lines.push(
      `Checked now, from the audit entries of the ${recorded} packet(s) queued in the last ${days} days: ${k.facesFound} face(s) found, ${k.facesRedacted} redacted, ${k.facesKept} left visible (the chosen subject); mode ${k.modes.join(', ')}; model ${k.models.join(', ')}.`,
    );
  if (k.unrecorded > 0)
    lines.push(`${k.unrecorded} packet(s) were queued before the appliance recorded this; they are not counted.`);
  lines.push(
    k.keptBeyondSubject.length === 0
      ? 'No packet left more faces visible than its subject.'
      : `CHECK FAILED: ${k.keptBeyondSubject.length} packet(s) left more faces visible than the subject: ${k.keptBeyondSubject.join(', ')}.`,
  );
  lines.push(
    k.withMetadata.length === 0
      ? recorded > 0
        ? 'No image in those packets carried metadata (EXIF, XMP, ICC, IPTC or comments) when it was queued.'
        : 'Metadata: not recorded for these packets.'
      : `CHECK FAILED: ${k.withMetadata.length} packet(s) carried image metadata: ${k.withMetadata.map((m) => `${m.packetId} (${m.segments.join(', ')})`).join('; ')}.`,
  );
  return { lines, problem: k.keptBeyondSubject.length > 0 || k.withMetadata.length > 0 };
}

/** B1: the BCRP class each packet queued in the window carried. */
function classLines(e: ComplianceEvidence): { lines: string[]; problem: boolean } {
  const k = e.claims.packets;
  const days = e.disclosures.days;
  const counted = Object.entries(k.classes)
    .map(([c, n]) => `${n} ${c}`)
    .join(', ');
  const lines = [
    k.queued === 0
      ? `No packet was queued in the last ${days} days.`
      : `Checked now, from the audit entries of the packets queued in the last ${days} days: ${counted || 'none recorded'}${k.unrecorded > 0 ? ` (${k.unrecorded} queued before the class was recorded)` : ''}.`,
  ];
  if (k.unknownClass.length > 0)
    lines.push(`CHECK FAILED: ${k.unknownClass.length} packet(s) carry a class the hub does not know.`);
  return { lines, problem: k.unknownClass.length > 0 };
}

/** P11: every police export in the window relied on a hold active when it was made. */
function policeLines(e: ComplianceEvidence): { lines: string[]; problem: boolean } {
  const p = e.claims.policeExports;
  const days = e.disclosures.days;
  if (p.count === 0) return { lines: [`No police export in the last ${days} days.`], problem: false };
  if (p.withoutHold.length === 0)
    return {
      lines: [
        `Checked now: each of the ${p.count} police export(s) in the last ${days} days was made while its incident was under an active evidence hold.`,
      ],
      problem: false,
    };
  return {
    lines: [
      `CHECK FAILED: ${p.withoutHold.length} of ${p.count} police export(s) had no active hold: ${p.withoutHold.map((w) => `entry ${w.seq} (incident ${w.incidentId})`).join('; ')}.`,
    ],
    problem: true,
  };
}

/** P8: each stored image has its SHA-256 on record. */
function hashLines(e: ComplianceEvidence): { lines: string[]; problem: boolean } {
  const s = e.store;
  if (!s) return { lines: ['Store not checked for this report.'], problem: false };
  const f = s.files;
  if (f.checked === 0) return { lines: ['Checked now: no image files are stored.'], problem: false };
  return f.missingHash === 0
    ? { lines: [`Checked now: all ${f.checked} stored image file(s) have their SHA-256 on record.`], problem: false }
    : {
        lines: [`CHECK FAILED: ${f.missingHash} of ${f.checked} stored image file(s) have no SHA-256 on record.`],
        problem: true,
      };
}

export function findings(e: ComplianceEvidence): { principles: Finding[]; bcrp: Finding[] } {
  const r = e.config.retention;
  const sweep = sweepFindings(e);
  const chain = chainFindings(e);
  const transport = transportFindings(e);
  const audited = auditedLines(e);
  const redaction = redactionLines(e);
  const classes = classLines(e);
  const police = policeLines(e);
  const hashes = hashLines(e);
  const disclosures = `In the last ${e.disclosures.days} days: ${e.disclosures.send} packet(s) sent to the hub, ${e.disclosures.sarExport} SAR export(s), ${e.disclosures.policeExport} police export(s).`;
  const holds =
    e.holds.length === 0
      ? 'No evidence holds are active.'
      : `${e.holds.length} evidence hold(s) active: ${e.holds.map((h) => `${h.incidentId} (${h.reference ?? 'no reference'}, by ${h.placedBy}${h.expiresAt ? `, until ${h.expiresAt}` : ''})`).join('; ')}.`;
  const accounts = Object.entries(e.accounts)
    .map(([role, n]) => `${n} ${role}`)
    .join(', ');
  const p = (
    n: number,
    title: string,
    does: string[],
    evidence: string[],
    operator: string[],
    status: Status,
  ): Finding => ({
    id: `P${n}`,
    title,
    does,
    evidence,
    operator,
    status,
  });
  const principles: Finding[] = [
    p(
      1,
      'Use for a specified purpose in pursuit of a legitimate aim and a pressing need',
      [
        e.config.preRoll.enabled
          ? `Pre-roll is ON (capture.preRoll.enabled): each of the ${e.config.preRoll.cameras} enabled camera(s) is recorded continuously into RAM (${e.config.preRoll.dir}), the last ${e.config.preRoll.seconds} s kept and overwritten; stills are stored only when staff press the button or use the capture page.`
          : 'Captures stills only when staff press the button or use the capture page for an incident; with pre-roll off (capture.preRoll.enabled=false, the default) it never records continuously.',
        'Incident categories are a fixed list of crime and anti-social-behaviour types.',
      ],
      [
        `Site ${e.site}; ${e.stored.incidents} incident record(s) held.`,
        `Pre-roll: ${e.config.preRoll.enabled ? `on, ${e.config.preRoll.seconds} s per camera in RAM` : 'off'}.`,
      ],
      [
        'The operator must state the purpose (crime prevention, BCRP intelligence sharing) in the DPIA and on signs.',
        'The operator must confirm membership of the BCRP and its lawful basis (legitimate interests, see the privacy notice).',
        ...(e.config.preRoll.enabled
          ? ['The operator must state the continuous RAM pre-roll and why it is needed in the DPIA, or turn it off.']
          : []),
      ],
      'operator',
    ),
    p(
      2,
      'Take into account the effect on individuals and their privacy',
      [
        'Every face other than the chosen subject is redacted on the device before anything leaves it; the default output is a subject crop.',
        'Metadata (EXIF, GPS) is stripped; no staff names or camera addresses go in packets.',
      ],
      [
        `Redaction: model ${e.config.redaction.model}, mode ${e.config.redaction.mode}, margin ${e.config.redaction.margin}, tiled detection ${yes(e.config.redaction.tiles)}.`,
        ...redaction.lines,
      ],
      [
        'The operator must complete and review the DPIA (docs/dpia-template.md) before use, and when cameras or purposes change.',
      ],
      redaction.problem ? 'attention' : 'operator',
    ),
    p(
      3,
      'As much transparency as possible, with a published contact point',
      ['Answers subject access requests in minutes (bcrp-edge sar export) with a signed cover sheet.'],
      [`SAR exports in the last ${e.disclosures.days} days: ${e.disclosures.sarExport}.`],
      [
        'The operator must put up CCTV signs naming the shop as controller, the BCRP and a contact point.',
        'The operator must publish how to make a subject access request and how to complain (ICO).',
      ],
      'operator',
    ),
    p(
      4,
      'Clear responsibility and accountability for all activities, images and information',
      ['Every capture, view, reveal, send, export, hold and deletion is an audit entry naming the person or process.'],
      [chain.lines[0] as string, ...audited.lines, `Web accounts: ${accounts || 'none yet'}.`],
      ['The operator must name the responsible manager and give each person their own account (no shared logins).'],
      chain.problem || audited.problem ? 'attention' : 'operator',
    ),
    p(
      5,
      'Clear rules, policies and procedures, communicated to all who must follow them',
      [
        'Retention, redaction and four-eyes approval are configuration, checked at start-up; the sweeper enforces retention.',
      ],
      [
        `Four-eyes approval of sends: ${yes(e.config.web.fourEyes)}.`,
        `Retention: originals ${r.originalsDays} d, unsent drafts ${r.draftsDays} d, sent copies ${r.sentDays} d after acknowledgement, failed captures ${r.failedCapturesDays} d.`,
      ],
      [
        'The operator must write the shop procedure (who may capture, review, send, place holds) and brief staff on it.',
      ],
      'operator',
    ),
    p(
      6,
      'No more images and information stored than strictly required',
      [
        `Originals are deleted after ${r.originalsDays} days (the NVR's own period), drafts after ${r.draftsDays}, sent copies ${r.sentDays} days after the hub acknowledges; files are overwritten, unlinked and their keys discarded.`,
        'Exceptions, each shown below: incidents under an evidence hold (every hold is audited); packets on their way to the hub, kept with their stills until the hub answers; SAR answer folders written from the web under the data directory, which retention does not sweep.',
      ],
      [
        ...sweep.lines,
        `Packets awaiting the hub's answer: ${e.inFlight}.`,
        e.sarFolders === null
          ? 'SAR answer folders: not checked (the data directory could not be read).'
          : `SAR answer folders in ${e.sarFolders.dir}: ${e.sarFolders.count} (not swept; delete each once handed over).`,
        `Originals held now: ${e.stored.originals}${e.stored.oldestOriginal ? `, oldest recorded ${e.stored.oldestOriginal}` : ''}.`,
        holds,
      ],
      [
        'The operator must release holds once the case is closed.',
        ...(e.sarFolders && e.sarFolders.count > 0
          ? [
              'The operator must delete SAR answer folders once the requester has them (they hold images of the requester).',
            ]
          : []),
      ],
      sweep.problem ? 'attention' : 'ok',
    ),
    p(
      7,
      'Restrict access to retained images with clear rules on who can gain access',
      [
        'Staff see only redacted images; only managers place holds, answer SARs and export evidence; auditors never see images.',
        'Originals are encrypted at rest (AES-256-GCM, one key per file).',
      ],
      [
        `Web accounts: ${accounts || 'none yet'}; sessions expire after ${e.config.web.sessionHours} h.`,
        ...storeLines(e),
      ],
      ['The operator must review accounts quarterly and disable leavers at once.'],
      storeProblem(e) ? 'attention' : 'operator',
    ),
    p(
      8,
      'Consider approved operational, technical and competency standards',
      [
        'Uses the recorder\u2019s own evidence export formats (Hikvision ISAPI/RTSP, ONVIF Profile S); hashes evidence with SHA-256.',
      ],
      [...hashes.lines, 'Standards compliance of the recorder and cameras is outside the appliance.'],
      [
        'The operator must keep the NVR\u2019s clock on NTP and its firmware current, and train staff on the procedure.',
      ],
      hashes.problem ? 'attention' : 'operator',
    ),
    p(
      9,
      'Appropriate security measures against unauthorised access and use',
      [
        `Packets are signed (Ed25519)${e.config.hub.encrypt ? ' and encrypted to the hub' : ''}; ${transport.mutual ? 'MQTT over mutual TLS' : 'see the evidence for the broker connection'}; secrets never logged.`,
      ],
      [`Packets encrypted to the hub: ${yes(e.config.hub.encrypt)}.`, ...transport.lines],
      [
        'The operator must keep the appliance physically secure, change the NVR password from its default and apply updates.',
      ],
      !e.config.hub.configured ? 'operator' : transport.mutual ? 'ok' : 'attention',
    ),
    p(
      10,
      'Effective review and audit mechanisms',
      [
        e.config.hub.configured
          ? 'Hash-chained audit log; signed checkpoints sent to the hub detect a rebuilt local log (the auditor checks the hub\u2019s export with bcrp-edge audit verify --checkpoints); media and disclosure registers are views over it.'
          : 'Hash-chained audit log with signed checkpoints kept on the appliance (no hub configured); media and disclosure registers are views over it.',
      ],
      [...chain.lines, disclosures],
      [
        'The operator must review the registers monthly (bcrp-edge audit register media|disclosure) and keep this report with the DPIA.',
        ...(e.config.hub.configured
          ? []
          : [
              'The operator must copy the checkpoints off the device (bcrp-edge audit checkpoint -o FILE) and keep them apart from it.',
            ]),
      ],
      chain.problem ? 'attention' : 'ok',
    ),
    p(
      11,
      'Used effectively for public safety and law enforcement, with evidential value',
      [
        'Police exports give master and working copies of the originals with SHA-256 hashes and a signed continuity record, only for held incidents.',
      ],
      [...police.lines, holds],
      ['The operator must place a hold as soon as the police ask for footage and record the crime reference.'],
      police.problem ? 'attention' : 'ok',
    ),
    p(
      12,
      'Accurate and up to date when compared against a reference database',
      [
        'The appliance does no face recognition or matching; staff choose the subject and the partnership identifies people.',
      ],
      [
        `Face model in use: ${e.config.redaction.model}, a face detector: it gives boxes and scores, nothing a face could be matched on${e.config.redaction.modelSha256 ? `; the model file is pinned by its SHA-256 ${e.config.redaction.modelSha256.slice(0, 12)}…` : ''}.`,
        'No reference database on the device: there is nothing to compare a face with.',
      ],
      ['The operator must correct or withdraw wrong reports through the partnership promptly.'],
      'ok',
    ),
  ];
  const b = (
    id: string,
    title: string,
    does: string[],
    evidence: string[],
    operator: string[],
    status: Status,
  ): Finding => ({ id, title, does, evidence, operator, status });
  const bcrp: Finding[] = [
    b(
      'B1',
      'Shared with members for 12 months after a report',
      [HUB_RETENTION_STATEMENTS.firstReport],
      [`${e.disclosures.send} packet(s) sent in the last ${e.disclosures.days} days.`, ...classes.lines],
      ['The partnership must run its hub\u2019s sweep, which enforces it; nothing is needed on the device.'],
      classes.problem ? 'attention' : 'ok',
    ),
    b(
      'B2',
      'Shared for 24 months from a second report while still shared',
      [HUB_RETENTION_STATEMENTS.furtherReport],
      ['Applied at the hub, not visible from the appliance.'],
      [
        'The partnership must link reports about the same person to one subject at the hub (bcrp-edge hub subject link, or the hub page); an unlinked report is kept under the one-report rule.',
      ],
      'operator',
    ),
    b(
      'B3',
      'Then withdrawn to the administrator for 12 months, then irrevocably deleted',
      [HUB_RETENTION_STATEMENTS.afterSharing],
      ['Applied at the hub, not visible from the appliance.'],
      [
        'The operator must confirm with the partnership that its hub runs the sweep (bcrp-edge hub list --all shows the tombstones).',
      ],
      'operator',
    ),
    b(
      'B4',
      'Local copies on the appliance',
      [
        `Originals ${r.originalsDays} days; unsent drafts ${r.draftsDays} days; sent copies ${r.sentDays} days after the hub acknowledged; failed captures ${r.failedCapturesDays} days; the audit log is kept.`,
      ],
      sweep.lines,
      ['The operator must release each hold once its case is closed; the sweeper does the rest.'],
      sweep.problem ? 'attention' : 'ok',
    ),
    b(
      'B5',
      'Subject access answered within 30 days',
      [
        'bcrp-edge sar export produces the requester\u2019s images with third parties redacted, a manifest and a signed cover sheet, and records the disclosure.',
      ],
      [`SAR exports in the last ${e.disclosures.days} days: ${e.disclosures.sarExport}.`],
      ['The operator must verify the requester\u2019s identity and log the date the request arrived.'],
      'operator',
    ),
    b(
      'B6',
      'No transfer outside the UK',
      ['Packets go only to the configured partnership broker.'],
      ['The broker address is set at provisioning.'],
      ['The operator must confirm with the partnership that its hub is hosted in the UK.'],
      'operator',
    ),
  ];
  return { principles, bcrp };
}
