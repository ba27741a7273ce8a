// Where 学生助力 videos live. Content-addressed: a video's key is the sha256 of its bytes, so
// nothing the client sends (file name, path, type) ever reaches the file system, and the same
// video uploaded twice is stored once.
//
// LocalVideoStore keeps them under DATA_DIR/uploads/<sha256[0:2]>/<sha256> (api/content-store.ts).
//
// An S3-compatible store (MinIO, OSS, COS) fits the same interface: `put` streams a multipart
// upload to a temporary key while hashing (or to local tmp first), then copies it to
// `videos/<sha256>` and deletes the temporary object; `open` is GetObject with a Range header;
// `size` is HeadObject. Choose it where API replicas share no disk.
import type { Readable } from 'node:stream';
import { SNIFF_BYTES, sniffVideo } from '../lib/rules/video-type';
import { LocalContentStore, type StoredContent } from './content-store';

export { formatBytes } from './content-store';

export type StoredVideo = StoredContent;

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

export class LocalVideoStore extends LocalContentStore implements VideoStore {
  constructor(root: string) {
    super(root, { what: 'the video', sniffBytes: SNIFF_BYTES, sniff: sniffVideo, fanOut: true });
  }
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
