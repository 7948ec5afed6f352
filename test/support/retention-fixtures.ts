// Puts incidents, stills, outbox rows and web accounts straight into a store, the way capture, review and the
// outbox will, so retention, holds, registers and SAR can be tested before (and apart from) those modules.

import type { EncryptedFiles } from '../../src/adapters/store/encrypted-files.js';
import type { Db } from '../../src/adapters/store/sqlite-store.js';
import type { AuditLog } from '../../src/core/ports/audit-log.js';

export interface SeedStill {
  id: string;
  kind: 'original' | 'redacted' | 'subject-crop' | 'context';
  bytes?: Buffer;
}

export function seedIncident(
  db: Db,
  files: EncryptedFiles,
  audit: AuditLog,
  input: {
    id: string;
    at: string;
    camera?: number;
    status?: string;
    stills?: SeedStill[];
    outbox?: { id: string; state: 'queued' | 'sent' | 'acked' | 'failed'; ackedAt?: string }[];
  },
): void {
  db.prepare(
    'INSERT INTO incidents (id, site_id, camera, trigger_time, source, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(input.id, 'shop-001', input.camera ?? 1, input.at, 'button', input.status ?? 'captured', input.at, input.at);
  audit.append({
    actor: 'button:till',
    action: 'trigger',
    subject: input.id,
    details: { incidentId: input.id, camera: input.camera ?? 1 },
  });
  for (const s of input.stills ?? []) {
    const stored = files.put(`incidents/${input.id}`, s.id, s.bytes ?? Buffer.from(`image ${s.id}`));
    db.prepare(
      'INSERT INTO stills (id, incident_id, kind, captured_at, bytes, sha256, file, key_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(s.id, input.id, s.kind, input.at, stored.bytes, stored.sha256, stored.file, stored.keyId, input.at);
    audit.append({
      actor: 'system',
      action: s.kind === 'original' ? 'capture' : 'redact',
      subject: s.id,
      details: { incidentId: input.id, stillId: s.id, kind: s.kind, sha256: stored.sha256 },
    });
  }
  for (const o of input.outbox ?? []) {
    db.prepare(
      'INSERT INTO outbox (id, incident_id, topic, payload, state, created_at, sent_at, acked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    ).run(
      o.id,
      input.id,
      `bcrp/shop-001/incidents/${o.id}`,
      Buffer.from('{}'),
      o.state,
      input.at,
      input.at,
      o.ackedAt ?? null,
    );
    if (o.state === 'sent' || o.state === 'acked')
      audit.append({
        actor: 'alice',
        action: 'send',
        subject: o.id,
        details: { incidentId: input.id, packetId: o.id },
      });
  }
}

export function seedUser(db: Db, username: string, role: 'staff' | 'manager' | 'installer' | 'auditor'): void {
  db.prepare('INSERT INTO users (username, password_hash, role, created_at) VALUES (?, ?, ?, ?)').run(
    username,
    'scrypt$test',
    role,
    '2026-01-01T00:00:00.000Z',
  );
}
