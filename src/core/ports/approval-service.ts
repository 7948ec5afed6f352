// Port: four-eyes approval of sends. A manager sees the same preview the reviewer saw and approves or rejects
// it; implementations audit 'approve' / 'reject' (and 'send' when approval queues the packet).
import type { IncidentStatus } from '../incident.js';
import type { IncidentSummary } from './incident-service.js';

export interface ApprovalService {
  pending(): Promise<IncidentSummary[]>;
  approve(incidentId: string, actor: string): Promise<{ status: IncidentStatus }>;
  reject(incidentId: string, actor: string, reason: string): Promise<{ status: IncidentStatus }>;
}
