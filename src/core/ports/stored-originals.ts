// Port: the original stills subject access requests and police exports read — live ones only (not deleted by
// retention), each with its incident's camera and trigger time, ordered by trigger time, capture time, then id.

export interface StoredOriginal {
  id: string;
  incidentId: string;
  capturedAt: string;
  file: string;
  keyId: string | null;
  sha256: string;
  camera: number;
  triggerTime: string;
}

export interface StoredOriginals {
  incidentExists(incidentId: string): boolean;
  ofIncident(incidentId: string): StoredOriginal[];
  /** Originals of incidents on `camera` triggered between `from` and `to` (ISO times, both included). */
  ofCamera(camera: number, from: string, to: string): StoredOriginal[];
}
