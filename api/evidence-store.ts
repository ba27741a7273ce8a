// Where 异议 evidence lives: DATA_DIR/uploads/evidence/<sha256>, content-addressed like the boost
// videos (api/content-store.ts), accepting PDF, JPEG and PNG only.
import path from 'node:path';
import { EVIDENCE_SNIFF_BYTES, sniffEvidence } from '../lib/rules/evidence-type';
import { LocalContentStore, type StoredContent } from './content-store';

export type StoredEvidence = StoredContent;

export class LocalEvidenceStore extends LocalContentStore {
  constructor(root: string) {
    super(root, { what: 'the evidence file', sniffBytes: EVIDENCE_SNIFF_BYTES, sniff: sniffEvidence, fanOut: false });
  }

  static under(dataDir: string): LocalEvidenceStore {
    return new LocalEvidenceStore(path.join(dataDir, 'uploads', 'evidence'));
  }
}
