import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import request from 'supertest';
import type { Orm } from '../../db/orm';
import { loginAs, testApi, type TestApi } from '../helpers/api';
import { firstSchoolOfCity, makeCampaign, schoolByName, testOrm } from '../helpers/db';
import { localEnv } from '../helpers/temporal';
import { windowsAround } from '../helpers/windows';
import { entrantIn, tally, voters } from './helpers';

let env: TestWorkflowEnvironment;
let orm: Orm;
let api: TestApi;
let server: Server;
let campaignId: string;
let dataDir: string;
const LIMIT = 100_000;

beforeAll(async () => {
  env = await localEnv();
  orm = await testOrm();
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'lss-boosts-'));
  api = testApi(orm, env, { DATA_DIR: dataDir, UPLOAD_MAX_BYTES: String(LIMIT), RANKING_CACHE_SECONDS: '0' });
  server = api.app.listen(0, '127.0.0.1');
  campaignId = await makeCampaign(orm, windowsAround(Date.now()).windows);
});

afterAll(async () => {
  server?.close();
  await api?.close();
  await env?.teardown();
  await orm?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** An MP4 as far as its first bytes tell: an ftyp box of brand isom, then noise. */
function mp4(bytes: number): Buffer {
  const b = randomBytes(bytes);
  Buffer.from([0, 0, 0, 0x20]).copy(b, 0);
  Buffer.from('ftypisom').copy(b, 4);
  return b;
}
function webm(bytes: number): Buffer {
  const b = randomBytes(bytes);
  Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x9f, 0x42, 0x86, 0x81, 0x01]).copy(b, 0);
  Buffer.from('webm').copy(b, 20);
  return b;
}

const upload = (entrantId: string, auth: object, body: Buffer, filename = 'dance.mp4') =>
  request(server).post(`/api/entrants/${entrantId}/boosts`).set(auth as Record<string, string>).attach('video', body, { filename, contentType: 'video/mp4' });

/** Every file under DATA_DIR/uploads (temporary ones included). */
function storedFiles(): string[] {
  const root = path.join(dataDir, 'uploads');
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(root, path.join(d.parentPath, d.name)));
}

async function uploaded(entrantId: string, student: { auth: object }, body = mp4(20_000)) {
  const res = await upload(entrantId, student.auth, body);
  expect(res.status).toBe(201);
  return res.body as { id: string; state: string; video: { sha256: string; type: string; bytes: number; url: string } };
}

describe('学生助力 (student boosts)', () => {
  test('when a student uploads a video for an approved teacher, then it is stored content-addressed and waits for moderation', async () => {
    const teacher = await entrantIn(orm, campaignId);
    const student = await loginAs(api, 'student');
    const body = mp4(50_000);
    const res = await upload(teacher.id, student.auth, body, '../../etc/passwd.mp4');
    expect(res.status).toBe(201);
    const sha = createHash('sha256').update(body).digest('hex');
    expect(res.body).toMatchObject({ state: 'pending', entrant: { id: teacher.id }, video: { sha256: sha, type: 'video/mp4', bytes: 50_000, originalName: 'passwd.mp4' } });
    // The name from the client reaches no path: the file is named by its content.
    expect(readFileSync(path.join(dataDir, 'uploads', sha.slice(0, 2), sha)).equals(body)).toBe(true);
    expect(storedFiles().filter((f) => f.startsWith('tmp'))).toEqual([]);
    expect(await tally(orm, teacher.id)).toMatchObject({ accepted_boosts: 0 });
  });

  test('when the file is not a video (whatever its name and declared type), then it answers 415 and nothing is left on disk', async () => {
    const teacher = await entrantIn(orm, campaignId);
    const student = await loginAs(api, 'student');
    const before = storedFiles();
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(30_000)]);
    const res = await upload(teacher.id, student.auth, png, 'talent.mp4');
    expect(res.status).toBe(415);
    expect(res.body.error).toMatchObject({ code: 'UnsupportedMediaType', message: expect.stringContaining('not a video') });
    const heic = mp4(5_000);
    Buffer.from('heic').copy(heic, 8);
    expect((await upload(teacher.id, student.auth, heic)).status).toBe(415);
    expect(storedFiles()).toEqual(before);
    const [{ n }] = await orm.em.fork().getConnection().execute(`select count(*)::int as n from boost where entrant_id = ?`, [teacher.id]);
    expect(n).toBe(0);
  });

  test('when the video is larger than the limit, then it answers 413 while streaming (or at once by Content-Length) and nothing is left on disk', async () => {
    const teacher = await entrantIn(orm, campaignId);
    const student = await loginAs(api, 'student');
    const before = storedFiles();
    const streamed = await upload(teacher.id, student.auth, mp4(LIMIT + 1));
    expect(streamed.status).toBe(413);
    expect(streamed.body.error).toMatchObject({ code: 'PayloadTooLarge', message: expect.stringContaining('larger than the limit of 97.7 KB'), details: { maxBytes: LIMIT } });
    const declared = await upload(teacher.id, student.auth, mp4(LIMIT + 2 * 1024 * 1024));
    expect(declared.status).toBe(413);
    expect(storedFiles()).toEqual(before);
    // Exactly at the limit is accepted.
    expect((await upload(teacher.id, student.auth, mp4(LIMIT))).status).toBe(201);
  });

  test('when the upload is not multipart or has no video part, then it answers with what to send', async () => {
    const teacher = await entrantIn(orm, campaignId);
    const student = await loginAs(api, 'student');
    const json = await request(server).post(`/api/entrants/${teacher.id}/boosts`).set(student.auth).send({ video: 'x' });
    expect(json.status).toBe(415);
    expect(json.body.error.message).toMatch(/multipart\/form-data/);
    const empty = await request(server).post(`/api/entrants/${teacher.id}/boosts`).set(student.auth).field('note', 'hi');
    expect(empty.status).toBe(400);
    expect(empty.body.error.details).toEqual([{ path: 'body.video', message: 'a file field named "video" is required' }]);
  });

  test('when a teacher or a voter uploads, or a student boosts a student or a pending teacher, then it is refused before anything is stored', async () => {
    const teacher = await entrantIn(orm, campaignId);
    const pending = await entrantIn(orm, campaignId, { state: 'pending_approval' });
    const studentEntrant = await entrantIn(orm, campaignId, { category: 'student' });
    const student = await loginAs(api, 'student');
    const before = storedFiles();
    expect((await upload(teacher.id, (await loginAs(api, 'teacher')).auth, mp4(1000))).status).toBe(403);
    expect((await upload(teacher.id, (await voters(orm, 1))[0].auth, mp4(1000))).status).toBe(403);
    expect((await upload(pending.id, student.auth, mp4(1000))).status).toBe(409);
    expect((await upload(studentEntrant.id, student.auth, mp4(1000))).status).toBe(409);
    expect(storedFiles()).toEqual(before);
  });

  test('when the teacher’s school admin accepts, then the boost counts in the tally and the ranking; the same student cannot boost the teacher twice', async () => {
    const teacher = await entrantIn(orm, campaignId, { name: '周老师' });
    const student = await loginAs(api, 'student');
    const boost = await uploaded(teacher.id, student);
    const again = await upload(teacher.id, student.auth, webm(3000));
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/one boost per student per teacher/);

    const school = await schoolByName(orm, '黄石港区第一小学');
    const elsewhere = await firstSchoolOfCity(orm, '武汉市');
    const stranger = await loginAs(api, 'school_admin', { schoolId: elsewhere.id });
    expect((await request(server).post(`/api/boosts/${boost.id}/accept`).set(stranger.auth).send({})).status).toBe(403);
    const county = await loginAs(api, 'county_admin', { countyId: school.county_id });
    expect((await request(server).post(`/api/boosts/${boost.id}/accept`).set(county.auth).send({})).status).toBe(403);

    const admin = await loginAs(api, 'school_admin', { schoolId: school.id });
    const pendingList = await request(server).get('/api/boosts?state=pending').set(admin.auth);
    expect(pendingList.body.items.map((b: { id: string }) => b.id)).toContain(boost.id);
    const accepted = await request(server).post(`/api/boosts/${boost.id}/accept`).set(admin.auth).send({});
    expect(accepted.status).toBe(200);
    expect(accepted.body.state).toBe('accepted');
    expect((await request(server).post(`/api/boosts/${boost.id}/accept`).set(admin.auth).send({})).status).toBe(409);
    expect(await tally(orm, teacher.id)).toMatchObject({ accepted_boosts: 1 });

    const ranking = await request(server).get(`/api/rankings?campaignId=${campaignId}&category=teacher&schoolId=${school.id}&pageSize=200`);
    expect(ranking.body.items.find((i: { id: string }) => i.id === teacher.id)).toMatchObject({ votes: 0, acceptedBoosts: 1, score: 10 });
    const publicList = await request(server).get(`/api/boosts?entrantId=${teacher.id}`);
    expect(publicList.body.items.map((b: { id: string }) => b.id)).toEqual([boost.id]);
  });

  test('when the admin rejects, then a reason is required, nothing counts, and the student may upload another video', async () => {
    const teacher = await entrantIn(orm, campaignId);
    const student = await loginAs(api, 'student');
    const boost = await uploaded(teacher.id, student);
    const admin = await loginAs(api, 'school_admin', { schoolId: teacher.schoolId });
    expect((await request(server).post(`/api/boosts/${boost.id}/reject`).set(admin.auth).send({ reason: ' ' })).status).toBe(400);
    const rejected = await request(server).post(`/api/boosts/${boost.id}/reject`).set(admin.auth).send({ reason: '视频与学习成果无关' });
    expect(rejected.body).toMatchObject({ state: 'rejected', reason: '视频与学习成果无关' });
    expect((await request(server).post(`/api/boosts/${boost.id}/accept`).set(admin.auth).send({})).status).toBe(409);
    expect(await tally(orm, teacher.id)).toMatchObject({ accepted_boosts: 0 });
    expect((await upload(teacher.id, student.auth, webm(4000))).status).toBe(201);
  });

  test('when the video is fetched with a Range, then 206 answers exactly those bytes; before acceptance only the student and the school see it', async () => {
    const teacher = await entrantIn(orm, campaignId);
    const student = await loginAs(api, 'student');
    const body = mp4(10_000);
    const boost = await uploaded(teacher.id, student, body);
    const url = `/api/boosts/${boost.id}/video`;
    expect((await request(server).get(url)).status).toBe(404);
    expect((await request(server).get(url).set((await loginAs(api, 'student')).auth)).status).toBe(404);
    const own = await request(server).get(url).set(student.auth).buffer(true).parse(binary);
    expect(own.status).toBe(200);
    expect(own.headers).toMatchObject({ 'content-type': 'video/mp4', 'accept-ranges': 'bytes', 'content-length': '10000' });
    expect((own.body as Buffer).equals(body)).toBe(true);

    const admin = await loginAs(api, 'school_admin', { schoolId: teacher.schoolId });
    expect((await request(server).get(url).set(admin.auth)).status).toBe(200);
    await request(server).post(`/api/boosts/${boost.id}/accept`).set(admin.auth).send({});

    const part = await request(server).get(url).set('Range', 'bytes=100-199').buffer(true).parse(binary);
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe('bytes 100-199/10000');
    expect((part.body as Buffer).equals(body.subarray(100, 200))).toBe(true);
    const tail = await request(server).get(url).set('Range', 'bytes=-10').buffer(true).parse(binary);
    expect(tail.headers['content-range']).toBe('bytes 9990-9999/10000');
    expect((tail.body as Buffer).equals(body.subarray(9990))).toBe(true);
    const open = await request(server).get(url).set('Range', 'bytes=9000-').buffer(true).parse(binary);
    expect((open.body as Buffer).length).toBe(1000);
    const beyond = await request(server).get(url).set('Range', 'bytes=10000-10010');
    expect(beyond.status).toBe(416);
    expect(beyond.headers['content-range']).toBe('bytes */10000');
  });
});

function binary(response: unknown, done: (err: Error | null, body: unknown) => void): void {
  const res = response as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}
