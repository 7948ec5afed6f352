// Port: subject access request export. The SAR service finds what the appliance holds about a person and writes
// an export with every other person obscured; implementations audit 'sar-export'.
export interface SubjectAccessRequest {
  /** The requester's reference (e.g. the SAR letter's number); no personal details. */
  reference: string;
  incidentIds: string[];
}

export interface SubjectAccessExport {
  reference: string;
  /** Where the export was written on the appliance, for the manager to hand over. */
  location: string;
  incidents: number;
  images: number;
  dueBy: string;
}

export interface SubjectAccessService {
  export(request: SubjectAccessRequest, actor: string): Promise<SubjectAccessExport>;
}
