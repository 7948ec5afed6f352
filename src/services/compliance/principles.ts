// The compliance report's content: for each of the 12 guiding principles of the Surveillance Camera Code and each
// BCRP retention rule, what the appliance does, what the live evidence shows, and what the operator must do.
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
    e.lastCheckpoint
      ? `Last signed checkpoint for the hub: entry ${e.lastCheckpoint.seq} at ${e.lastCheckpoint.time}; ${e.entriesSinceCheckpoint} entries since.`
      : 'No signed checkpoint has been made yet.',
  ];
  return { lines, problem: !c.ok || (!e.lastCheckpoint && (c.entries ?? 0) > 0) };
}

export function findings(e: ComplianceEvidence): { principles: Finding[]; bcrp: Finding[] } {
  const r = e.config.retention;
  const sweep = sweepFindings(e);
  const chain = chainFindings(e);
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
        'Captures stills only when staff press the button or use the capture page for an incident; it never records continuously.',
        'Incident categories are a fixed list of crime and anti-social-behaviour types.',
      ],
      [`Site ${e.site}; ${e.stored.incidents} incident record(s) held.`],
      [
        'State the purpose (crime prevention, BCRP intelligence sharing) in the DPIA and on signs.',
        'Confirm membership of the BCRP and its lawful basis (legitimate interests, see the privacy notice).',
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
      ],
      ['Complete and review the DPIA (docs/dpia-template.md) before use, and when cameras or purposes change.'],
      'operator',
    ),
    p(
      3,
      'As much transparency as possible, with a published contact point',
      ['Answers subject access requests in minutes (bcrp-edge sar export) with a signed cover sheet.'],
      [`SAR exports in the last ${e.disclosures.days} days: ${e.disclosures.sarExport}.`],
      [
        'Put up CCTV signs naming the shop as controller, the BCRP and a contact point.',
        'Publish how to make a subject access request and how to complain (ICO).',
      ],
      'operator',
    ),
    p(
      4,
      'Clear responsibility and accountability for all activities, images and information',
      ['Every capture, view, reveal, send, export, hold and deletion is an audit entry naming the person or process.'],
      [chain.lines[0] as string, `Web accounts: ${accounts || 'none yet'}.`],
      ['Name the responsible manager; give each person their own account (no shared logins).'],
      chain.problem ? 'attention' : 'operator',
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
      ['Write the shop procedure (who may capture, review, send, place holds) and brief staff on it.'],
      'operator',
    ),
    p(
      6,
      'No more images and information stored than strictly required',
      [
        `Originals are deleted after ${r.originalsDays} days (the NVR's own period), drafts after ${r.draftsDays}, sent copies ${r.sentDays} days after the hub acknowledges; files are overwritten, unlinked and their keys discarded.`,
        'Held incidents are the only exception, and every hold is audited.',
      ],
      [
        ...sweep.lines,
        `Originals held now: ${e.stored.originals}${e.stored.oldestOriginal ? `, oldest recorded ${e.stored.oldestOriginal}` : ''}.`,
        holds,
      ],
      ['Release holds once the case is closed.'],
      sweep.problem ? 'attention' : 'ok',
    ),
    p(
      7,
      'Restrict access to retained images with clear rules on who can gain access',
      [
        'Staff see only redacted images; only managers place holds, answer SARs and export evidence; auditors never see images.',
        'Originals are encrypted at rest (AES-256-GCM, one key per file).',
      ],
      [`Web accounts: ${accounts || 'none yet'}; sessions expire after ${e.config.web.sessionHours} h.`],
      ['Review accounts quarterly; disable leavers at once.'],
      'operator',
    ),
    p(
      8,
      'Consider approved operational, technical and competency standards',
      [
        'Uses the recorder\u2019s own evidence export formats (Hikvision ISAPI/RTSP, ONVIF Profile S); hashes evidence with SHA-256.',
      ],
      ['Standards compliance of the recorder and cameras is outside the appliance.'],
      ['Keep the NVR\u2019s clock on NTP and its firmware current; train staff on the procedure.'],
      'operator',
    ),
    p(
      9,
      'Appropriate security measures against unauthorised access and use',
      ['Packets are signed (Ed25519) and optionally encrypted to the hub; MQTT over mutual TLS; secrets never logged.'],
      [
        `Packets encrypted to the hub: ${yes(e.config.hub.encrypt)}. Broker connection over TLS: ${yes(e.config.mqttTls)}.`,
      ],
      ['Keep the appliance physically secure; change the NVR password from its default; apply updates.'],
      e.config.mqttTls ? 'ok' : 'attention',
    ),
    p(
      10,
      'Effective review and audit mechanisms',
      [
        'Hash-chained audit log; signed checkpoints to the hub detect a rebuilt local log; media and disclosure registers are views over it.',
      ],
      [...chain.lines, disclosures],
      ['Review the registers monthly (bcrp-edge audit register media|disclosure) and keep this report with the DPIA.'],
      chain.problem ? 'attention' : 'ok',
    ),
    p(
      11,
      'Used effectively for public safety and law enforcement, with evidential value',
      [
        'Police exports give master and working copies of the originals with SHA-256 hashes and a signed continuity record, only for held incidents.',
      ],
      [`Police exports in the last ${e.disclosures.days} days: ${e.disclosures.policeExport}.`, holds],
      ['Place a hold as soon as the police ask for footage; record the crime reference.'],
      'ok',
    ),
    p(
      12,
      'Accurate and up to date when compared against a reference database',
      [
        'The appliance does no face recognition or matching; staff choose the subject and the partnership identifies people.',
      ],
      ['No reference database on the device.'],
      ['Correct or withdraw wrong reports through the partnership promptly.'],
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
      [
        'Each packet carries its BCRP retention class (shared-12m); the reference hub applies it (core/packet/retention.ts).',
      ],
      [`${e.disclosures.send} packet(s) sent in the last ${e.disclosures.days} days.`],
      ['None on the device; the partnership\u2019s hub enforces it.'],
      'ok',
    ),
    b(
      'B2',
      'Shared for 24 months from a second report while still shared',
      ['The hub computes shared-24m-second-report from the reports it holds about the same subject reference.'],
      ['Applied at the hub.'],
      ['Use the partnership\u2019s subject reference when reporting a known person.'],
      'ok',
    ),
    b(
      'B3',
      'Then withdrawn to the administrator for 12 months, then irrevocably deleted',
      ['The hub withdraws and deletes on schedule and keeps a report of what it withdrew and deleted and when.'],
      ['Applied at the hub.'],
      ['None.'],
      'ok',
    ),
    b(
      'B4',
      'Local copies on the appliance',
      [
        `Originals ${r.originalsDays} days; unsent drafts ${r.draftsDays} days; sent copies ${r.sentDays} days after the hub acknowledged; failed captures ${r.failedCapturesDays} days; the audit log is kept.`,
      ],
      sweep.lines,
      ['None, unless a hold is placed.'],
      sweep.problem ? 'attention' : 'ok',
    ),
    b(
      'B5',
      'Subject access answered within 30 days',
      [
        'bcrp-edge sar export produces the requester\u2019s images with third parties redacted, a manifest and a signed cover sheet, and records the disclosure.',
      ],
      [`SAR exports in the last ${e.disclosures.days} days: ${e.disclosures.sarExport}.`],
      ['Verify the requester\u2019s identity; log the date the request arrived.'],
      'operator',
    ),
    b(
      'B6',
      'No transfer outside the UK',
      ['Packets go only to the configured partnership broker.'],
      ['The broker address is set at provisioning.'],
      ['Confirm with the partnership that its hub is hosted in the UK.'],
      'operator',
    ),
  ];
  return { principles, bcrp };
}
