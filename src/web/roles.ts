// The role matrix: which role may do what. Routes name a permission, never a role, so the matrix is the one
// place to read (and test) who can do what.
import type { Role } from '../core/ports/accounts.js';
import type { HubRole } from '../core/ports/hub-store.js';

export const PERMISSIONS = {
  'status:read': ['staff', 'manager', 'installer', 'auditor'],
  'incidents:capture': ['staff', 'manager'],
  'incidents:read': ['staff', 'manager'],
  /** Redacted renderings of stills. Auditors never receive image bytes. */
  'images:view': ['staff', 'manager'],
  review: ['staff', 'manager'],
  approve: ['manager'],
  'holds:read': ['manager', 'auditor'],
  'holds:manage': ['manager'],
  'sar:export': ['manager'],
  /** The recorder's footage and original stills of a held incident, handed to the police. */
  'police:export': ['manager'],
  installer: ['installer'],
  'audit:read': ['auditor'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

/** A hub page role (member, administrator) holds no appliance permission. */
export function can(role: Role | HubRole | undefined, permission: Permission): boolean {
  return role !== undefined && (PERMISSIONS[permission] as readonly string[]).includes(role);
}

export interface PageLink {
  path: string;
  label: string;
  permission: Permission;
}

/** The pages in the header, in order; each role sees those it may use. */
export const PAGES: readonly PageLink[] = [
  { path: '/capture', label: 'Capture', permission: 'incidents:capture' },
  { path: '/incidents', label: 'Incidents', permission: 'incidents:read' },
  { path: '/manager', label: 'Manager', permission: 'approve' },
  { path: '/installer', label: 'Installer', permission: 'installer' },
  { path: '/auditor', label: 'Auditor', permission: 'audit:read' },
];

export function homePage(role: Role | HubRole): string {
  return PAGES.find((p) => can(role, p.permission))?.path ?? '/login';
}
