// Mail kept by the embedded mail catcher (scripts/mail-catcher.ts) under <DATA_DIR>/mail/,
// read by the dev-only page of the API.
import fs from 'node:fs';
import path from 'node:path';

export interface CaughtMail {
  /** `<ms>-<8 hex>`: sorts by arrival, safe as a file name. */
  id: string;
  receivedAt: string;
  envelope: { from: string | null; to: string[] };
  from: string;
  to: string;
  subject: string;
  messageId?: string;
  text: string;
  html: string | null;
  size: number;
}

export const CAUGHT_MAIL_ID = /^\d{13}-[0-9a-f]{8}$/;

export function caughtMailDir(dataDir: string): string {
  return path.resolve(dataDir, 'mail');
}

/** The caught mail, newest first. */
export function listCaughtMail(dir: string, limit = 200): CaughtMail[] {
  let files: string[];
  try {
    files = fs.readdirSync(dir).filter((f) => f.endsWith('.json') && CAUGHT_MAIL_ID.test(f.slice(0, -5)));
  } catch {
    return [];
  }
  return files
    .sort()
    .reverse()
    .slice(0, limit)
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as CaughtMail);
}

export function readCaughtMail(dir: string, id: string): CaughtMail | undefined {
  if (!CAUGHT_MAIL_ID.test(id)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, `${id}.json`), 'utf8')) as CaughtMail;
  } catch {
    return undefined;
  }
}
