// Where 学生助力 videos live. Content-addressed: a video's key is the sha256 of its bytes, so
// nothing the client sends (file name, path, type) ever reaches the file system, and the same
// video uploaded twice is stored once.
//
// LocalVideoStore keeps them under DATA_DIR/uploads/<sha256[0:2]>/<sha256>; an upload streams
// to DATA_DIR/uploads/tmp/<random>.part while it is hashed, sniffed and measured, and is renamed
// into place only when it is a whole, accepted video — a refused upload leaves nothing behind.
//
// An S3-compatible store (MinIO, OSS, COS) fits the same interface: `put` streams a multipart
// upload to a temporary key while hashing (or to local tmp first), then copies it to
// `videos/<sha256>` and deletes the temporary object; `open` is GetObject with a Range header;
// `size` is HeadObject. Choose it where API replicas share no disk.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { AppError } from '../lib/errors';
import { SNIFF_BYTES, sniffVideo } from '../lib/rules/video-type';

export interface StoredVideo {
  sha256: string;
  bytes: number;
  type: string;
}

export interface VideoStore {
  /**
   * Consumes `source` to its end (so a multipart parser upstream never stalls), storing it only
   * if it is a video of at most `maxBytes`; otherwise rejects with 415 / 413 and stores nothing.
   */
  put(source: Readable, maxBytes: number): Promise<StoredVideo>;
  /** The stored size, or undefined when there is no such video. */
  size(sha256: string): Promise<number | undefined>;
  /** The bytes [start, end] inclusive (the whole video without a range). */
  open(sha256: string, range?: { start: number; end: number }): Readable;
}

const SHA256 = /^[0-9a-f]{64}$/;

export class LocalVideoStore implements VideoStore {
  constructor(readonly root: string) {}

  private pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }

  async put(source: Readable, maxBytes: number): Promise<StoredVideo> {
    const tmpDir = path.join(this.root, 'tmp');
    await mkdir(tmpDir, { recursive: true });
    const tmp = path.join(tmpDir, `${randomUUID()}.part`);
    const out = createWriteStream(tmp, { flags: 'wx' });
    const hash = createHash('sha256');
    let bytes = 0;
    let head: Buffer[] = [];
    let headBytes = 0;
    let type: string | undefined;
    let refusal: AppError | undefined;

    const sniff = () => {
      const r = sniffVideo(Buffer.concat(head));
      head = [];
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
          refusal = new AppError('PayloadTooLarge', `the video is larger than the limit of ${formatBytes(maxBytes)}`, { maxBytes });
          return;
        }
        if (!type) {
          head.push(chunk);
          headBytes += chunk.length;
          if (headBytes >= SNIFF_BYTES) sniff();
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
          if (bytes === 0) refusal = new AppError('UnsupportedMediaType', 'the file is empty');
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
    const final = this.pathOf(sha256);
    await mkdir(path.dirname(final), { recursive: true });
    // Content-addressed: an existing file with this name holds these very bytes already.
    if (await this.size(sha256)) await unlink(tmp);
    else await rename(tmp, final);
    return { sha256, bytes, type: type! };
  }

  async size(sha256: string): Promise<number | undefined> {
    try {
      return (await stat(this.pathOf(sha256))).size;
    } catch {
      return undefined;
    }
  }

  open(sha256: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.pathOf(sha256), range ? { start: range.start, end: range.end } : {});
  }
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / 1024 / 1024) * 10) / 10} MB`;
  if (n >= 1024) return `${Math.round((n / 1024) * 10) / 10} KB`;
  return `${n} bytes`;
}

/**
 * A `Range: bytes=…` header against a size: one range, or 'unsatisfiable', or undefined (no
 * header, or several ranges / another unit, which are answered with the whole video).
 */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return undefined;
  const [, a, b] = m;
  if (a === '' && b === '') return undefined;
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}
