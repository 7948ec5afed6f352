// Port: subject access request export. The SAR service finds what the appliance holds about a person and writes
// an export with every other person obscured; implementations audit 'sar-export'.
import type { DocLang } from '../documents/document-words.js';

export interface SubjectAccessRequest {
  /** The requester's reference (e.g. the SAR letter's number); no personal details. */
  reference: string;
  incidentIds: string[];
  /** The requester's face on a still: still id → face number as faces() lists them (1 = leftmost). Every other
   * face, and every face on stills not named here, stays hidden. */
  keep?: Record<string, number>;
  /** The cover sheet's language: the language of the page the manager answered from. */
  lang?: DocLang;
}

/** The faces found on one still of a request, numbered left to right, for choosing the requester's. */
export interface RequesterFaces {
  incidentId: string;
  stillId: string;
  capturedAt: string;
  width: number;
  height: number;
  faces: { face: number; box: [number, number, number, number] }[];
}

export interface SubjectAccessExport {
  reference: string;
  /** Where the export was written on the appliance, for the manager to hand over. */
  location: string;
  incidents: number;
  images: number;
  dueBy: string;
  /** Images on which the requester's face was left visible. */
  kept?: number;
  /** The answer's name for archive(): the manager downloads it as one ZIP file. */
  download?: string;
}

export interface SubjectAccessService {
  export(request: SubjectAccessRequest, actor: string): Promise<SubjectAccessExport>;
  /** The faces on the requested incidents' stills (implementations audit looking at the originals). */
  faces(incidentIds: string[], actor: string): Promise<RequesterFaces[]>;
  /** An answer as one ZIP file, by the name export() gave; undefined when there is no such answer. Audited. */
  archive(name: string, actor: string): Promise<{ fileName: string; bytes: Buffer } | undefined>;
}
