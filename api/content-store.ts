// Content-addressed uploads (学生助力 videos, 异议 evidence): a file's key is the sha256 of its
// bytes, so nothing the client sends (name, path, type) ever reaches the file system, and the
// same file uploaded twice is stored once. An upload streams to <root>/tmp/<random>.part while
// it is hashed, sniffed (type from the content, not the name) and measured, and is renamed into
// place only when it is whole and accepted — a refused upload leaves nothing behind.
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { AppError } from '../lib/errors';

export interface StoredContent {
  sha256: string;
  bytes: number;
  type: string;
}

/** What a store accepts: how to name it in errors and how to tell its type from the first bytes. */
export interface ContentKind {
  /** "the video", "the evidence file": used in the refusals a person reads. */
  what: string;
  sniffBytes: number;
  sniff(head: Buffer): { ok: true; type: string } | { ok: false; reason: string };
  /** Spread files over <root>/<sha256[0:2]>/ (for stores that grow large). */
  fanOut: boolean;
}

const SHA256 = /^[0-9a-f]{64}$/;

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round((n / 1024 / 1024) * 10) / 10} MB`;
  if (n >= 1024) return `${Math.round((n / 1024) * 10) / 10} KB`;
  return `${n} bytes`;
}

export class LocalContentStore {
  constructor(
    readonly root: string,
    private readonly kind: ContentKind,
  ) {}

  protected pathOf(sha256: string): string {
    if (!SHA256.test(sha256)) throw new Error(`not a sha256: ${sha256}`);
    return this.kind.fanOut ? path.join(this.root, sha256.slice(0, 2), sha256) : path.join(this.root, sha256);
  }

  /**
   * Consumes `source` to its end (so a multipart parser upstream never stalls), storing it only
   * if its type is accepted and it is at most `maxBytes`; otherwise rejects with 415 / 413.
   */
  async put(source: Readable, maxBytes: number): Promise<StoredContent> {
    const { what } = this.kind;
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
      const r = this.kind.sniff(Buffer.concat(head));
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
          refusal = new AppError('PayloadTooLarge', `${what} is larger than the limit of ${formatBytes(maxBytes)}`, { maxBytes });
          return;
        }
        if (!type) {
          head.push(chunk);
          headBytes += chunk.length;
          if (headBytes >= this.kind.sniffBytes) sniff();
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
          if (bytes === 0) refusal = new AppError('UnsupportedMediaType', `${what} is empty`);
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

  /**
   * Removes partial uploads left by a process that stopped mid-upload (a finished or refused
   * upload never leaves one). Only those older than `olderThanMs`: another API process sharing
   * the directory may be streaming one right now. Answers how many were removed.
   */
  async sweepAbandoned(olderThanMs = 60 * 60 * 1000, now = Date.now()): Promise<number> {
    const tmpDir = path.join(this.root, 'tmp');
    let names: string[];
    try {
      names = await readdir(tmpDir);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const name of names.filter((n) => n.endsWith('.part'))) {
      const file = path.join(tmpDir, name);
      try {
        if (now - (await stat(file)).mtimeMs >= olderThanMs) {
          await unlink(file);
          removed += 1;
        }
      } catch {
        // gone meanwhile: finished or swept by another process
      }
    }
    return removed;
  }

  /** The stored size, or undefined when there is no such file. */
  async size(sha256: string): Promise<number | undefined> {
    try {
      return (await stat(this.pathOf(sha256))).size;
    } catch {
      return undefined;
    }
  }

  /** The bytes [start, end] inclusive (the whole file without a range). */
  open(sha256: string, range?: { start: number; end: number }): Readable {
    return createReadStream(this.pathOf(sha256), range ? { start: range.start, end: range.end } : {});
  }
}
