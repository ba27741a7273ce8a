// Where 异议 evidence lives: DATA_DIR/uploads/evidence/<sha256>, content-addressed like the boost
// videos of api/video-store.ts (whose store sniffs videos only): nothing the client sends (name,
// path, type) reaches the file system, the same file filed twice is stored once, and an upload
// streams to a temporary file while it is hashed, sniffed and measured, renamed into place only
// when it is whole and accepted — a refused upload leaves nothing behind.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { AppError } from '../lib/errors';
import { EVIDENCE_SNIFF_BYTES, sniffEvidence } from '../lib/rules/evidence-type';
import { formatBytes } from './video-store';

export interface StoredEvidence {
  sha256: string;
  bytes: number;
  type: string;
}

const SHA256 = /^[0-9a-f]{64}$/;

export class LocalEvidenceStore {
  constructor(readonly root: string) {}

  static under(dataDir: string): LocalEvidenceStore {
    return new LocalEvidenceStore(path.join(dataDir, 'uploads', 'evidence'));
  }

  private pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return path.join(this.root, sha256);
  }

  /** Consumes `source` to its end; stores it only if it is a PDF/JPEG/PNG of at most maxBytes (else 415/413). */
  async put(source: Readable, maxBytes: number): Promise<StoredEvidence> {
    const tmpDir = path.join(this.root, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, `${randomUUID()}.part`);
    const out = createWriteStream(tmp, { flags: 'wx' });
    const hash = createHash('sha256');
    let bytes = 0;
    let head = Buffer.alloc(0);
    let type: string | undefined;
    let refusal: AppError | undefined;
    const sniff = () => {
      const r = sniffEvidence(head);
      if (r.ok) type = r.type;
      else refusal = new AppError('UnsupportedMediaType', r.reason);
    };

    await new Promise<void>((resolve, reject) => {
      let writeError: Error | undefined;
      out.on('error', (err) => {
        writeError = err;
        source.resume();
      });
      source.on('data', (chunk: Buffer) => {
        if (refusal || writeError) return; // draining: the rest is read and dropped
        bytes += chunk.length;
        if (bytes > maxBytes) {
          refusal = new AppError('PayloadTooLarge', `the evidence file is larger than the limit of ${formatBytes(maxBytes)}`, { maxBytes });
          return;
        }
        if (!type) {
          head = Buffer.concat([head, chunk]);
          if (head.length >= EVIDENCE_SNIFF_BYTES) sniff();
          if (refusal) return;
        }
        hash.update(chunk);
        if (!out.write(chunk)) {
          source.pause();
          out.once('drain', () => source.resume());
        }
      });
      source.on('end', () => {
        if (!type && !refusal) {
          if (bytes === 0) refusal = new AppError('UnsupportedMediaType', 'the evidence file is empty');
          else sniff();
        }
        out.end(() => (writeError ? reject(writeError) : resolve()));
      });
      source.on('error', (err) => {
        out.destroy();
        reject(err);
      });
    }).catch(async (err) => {
      await unlink(tmp).catch(() => undefined);
      throw err;
    });

    if (refusal) {
      await unlink(tmp).catch(() => undefined);
      throw refusal;
    }
    const sha256 = hash.digest('hex');
    if (await this.size(sha256)) await unlink(tmp);
    else await rename(tmp, this.pathOf(sha256));
    return { sha256, bytes, type: type! };
  }

  async size(sha256: string): Promise<number | undefined> {
    try {
      return (await stat(this.pathOf(sha256))).size;
    } catch {
      return undefined;
    }
  }

  open(sha256: string): Readable {
    return createReadStream(this.pathOf(sha256));
  }
}
