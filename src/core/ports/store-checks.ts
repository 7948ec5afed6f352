// Port: facts about the store that the compliance report checks when it is made, rather than asserting them.

export interface StoreChecks {
  /** Deleted rows are overwritten in the database file (SQLite secure_delete). */
  secureDelete: boolean;
  /** Every stored image file: sealed (a data key on record, no readable JPEG on disk) or not, and whether its
   * SHA-256 is on record (the hash police exports and SAR answers state). */
  files: { checked: number; missingKey: number; plainJpeg: number; unreadable: number; missingHash: number };
}
