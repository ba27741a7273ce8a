import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LocalVideoStore } from '../../api/video-store';

// Partial uploads left by a stopped process are swept at the API's start; ones that may still
// be streaming (younger than the limit) and anything that is not a partial upload stay.
describe('abandoned partial uploads', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(path.join(os.tmpdir(), 'lss-store-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  test('when the store sweeps, then only .part files older than the limit are removed', async () => {
    const tmp = path.join(root, 'tmp');
    mkdirSync(tmp, { recursive: true });
    const now = Date.now();
    const file = (name: string, ageMs: number) => {
      writeFileSync(path.join(tmp, name), 'x');
      const at = (now - ageMs) / 1000;
      utimesSync(path.join(tmp, name), at, at);
    };
    file('old.part', 2 * 3600_000);
    file('streaming.part', 60_000);
    file('notes.txt', 5 * 3600_000);
    const store = new LocalVideoStore(root);
    expect(await store.sweepAbandoned(3600_000, now)).toBe(1);
    expect(existsSync(path.join(tmp, 'old.part'))).toBe(false);
    expect(existsSync(path.join(tmp, 'streaming.part'))).toBe(true);
    expect(existsSync(path.join(tmp, 'notes.txt'))).toBe(true);
    expect(await store.sweepAbandoned(3600_000, now)).toBe(0);
  });

  test('when nothing was ever uploaded, then the sweep finds nothing and fails nothing', async () => {
    expect(await new LocalVideoStore(path.join(root, 'never')).sweepAbandoned()).toBe(0);
  });
});
