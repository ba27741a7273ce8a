import ExcelJS from 'exceljs';
import request from 'supertest';
import type { Orm } from '../../db/orm';
import { noticeWindows } from '../../lib/rules/schedule';
import { loginAs, testApi, type TestApi } from '../helpers/api';
import { makeCampaign, testOrm } from '../helpers/db';
import { noTemporal } from './fixtures';

let orm: Orm;
let api: TestApi;
let province: Awaited<ReturnType<typeof loginAs>>;
let huangshi: Awaited<ReturnType<typeof loginAs>>;

beforeAll(async () => {
  orm = await testOrm();
  api = testApi(orm, noTemporal);
  const [{ id }] = await orm.em.fork().getConnection().execute(`select id from city where code = '4202'`);
  province = await loginAs(api, 'province_admin');
  huangshi = await loginAs(api, 'city_admin', { cityId: id });
});

afterAll(async () => {
  await api?.close();
  await orm?.close();
});

const csv = (...lines: string[]) => lines.join('\n');
const upload = (auth: Record<string, string>, campaignId: string, body: string | Buffer, filename = 'roster.csv') =>
  request(api.app).post('/api/rosters/import').query({ campaignId }).set(auth).attach('file', Buffer.from(body), filename);
const rosterRows = async (campaignId: string) =>
  orm.em.fork().getConnection().execute(`select s.code, r.teachers, r.students, r.platform_spaces, r.source_hash, r.imported_at from roster r join school s on s.id = r.school_id where r.campaign_id = ? order by s.code`, [campaignId]);

const GOOD = csv('学校代码,教师数,学生数,平台空间数', '420202-01,800,12000,400', '420202-02,120,2400,60', '420205-01,400,6000,200');

describe('school rosters (eligible population)', () => {
  test('when a roster file has one bad row, then it is refused whole with that row’s line and reason, and nothing changes', async () => {
    const campaignId = await makeCampaign(orm, noticeWindows(2017));
    await upload(huangshi.auth, campaignId, GOOD).expect(200);
    const before = await rosterRows(campaignId);
    const res = await upload(huangshi.auth, campaignId, csv('学校代码,教师数,学生数,平台空间数', '420202-01,900,12000,400', '420202-02,-5,2400,60', '420203-01,300,5000,150'));
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('ValidationFailed');
    expect(res.body.error.message).toBe('the roster has 1 bad row(s); nothing was imported');
    expect(res.body.error.details).toEqual([{ line: 3, schoolCode: '420202-02', reason: '教师数 (teachers) is not a whole number ≥ 0: "-5"' }]);
    // The good rows of the refused file (900 teachers at 420202-01, a new 420203-01) are not written.
    expect(await rosterRows(campaignId)).toEqual(before);
  });

  test('when a file has several bad rows, then every one is reported: unknown school, duplicate, outside the importer’s city, empty count', async () => {
    const campaignId = await makeCampaign(orm, noticeWindows(2017));
    const res = await upload(
      huangshi.auth,
      campaignId,
      csv('School code,Teachers,Students,Platform spaces', '420202-01,800,12000,400', '999999-99,1,1,1', '', '420202-01,10,10,10', '420102-01,50,800,20', '420205-01,,6000,200'),
    );
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual([
      { line: 3, schoolCode: '999999-99', reason: 'no school with code 999999-99' },
      { line: 5, schoolCode: '420202-01', reason: 'school 420202-01 already appears on line 2' },
      { line: 6, schoolCode: '420102-01', reason: 'school 420102-01 (江岸区实验小学) is outside your city' },
      { line: 7, schoolCode: '420205-01', reason: '教师数 (teachers) is empty' },
    ]);
    expect(await rosterRows(campaignId)).toEqual([]);
    // The province admin may import any school.
    const ok = await upload(province.auth, campaignId, csv('school_code,teachers,students,platform_spaces', '420102-01,50,800,20'));
    expect(ok.body).toMatchObject({ status: 'imported', inserted: 1 });
  });

  test('when the same file is imported again, then nothing changes and the answer says unchanged; a changed row updates only that row', async () => {
    const campaignId = await makeCampaign(orm, noticeWindows(2017));
    const first = await upload(huangshi.auth, campaignId, GOOD);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ status: 'imported', format: 'csv', rows: 3, inserted: 3, updated: 0, unchanged: 0 });
    const written = await rosterRows(campaignId);
    const again = await upload(huangshi.auth, campaignId, GOOD);
    expect(again.body).toMatchObject({ status: 'unchanged', rows: 3, inserted: 0, updated: 0, unchanged: 3, sourceHash: first.body.sourceHash });
    expect(await rosterRows(campaignId)).toEqual(written);
    const changed = await upload(huangshi.auth, campaignId, GOOD.replace('420205-01,400,', '420205-01,410,'));
    expect(changed.body).toMatchObject({ status: 'imported', inserted: 0, updated: 1, unchanged: 2 });
    const after = await rosterRows(campaignId);
    expect(after.find((r) => r.code === '420205-01')).toMatchObject({ teachers: 410, source_hash: changed.body.sourceHash });
    expect(after.find((r) => r.code === '420202-01')).toEqual(written.find((r) => r.code === '420202-01'));
  });

  test('when the roster is an XLSX workbook, then it is read with its row numbers; a bad row is refused the same way', async () => {
    const campaignId = await makeCampaign(orm, noticeWindows(2017));
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('花名册');
    ws.addRow(['学校代码', '学校名称', '教师数', '学生数', '平台空间数']);
    ws.addRow(['420202-01', '黄石港区第一小学', 800, 12000, 400]);
    ws.addRow(['420290-01', '黄石一中', 400, 6000, { formula: '100+100', result: 200 }]);
    const good = Buffer.from(await wb.xlsx.writeBuffer());
    const res = await upload(huangshi.auth, campaignId, good, 'roster.xlsx');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'imported', format: 'xlsx', rows: 2 });
    expect((await rosterRows(campaignId)).map((r) => [r.code, r.teachers, r.students, r.platform_spaces])).toEqual([
      ['420202-01', 800, 12000, 400],
      ['420290-01', 400, 6000, 200],
    ]);
    ws.addRow(['420203-01', '西塞山区第一小学', 12.5, 5000, 150]);
    const bad = await upload(huangshi.auth, campaignId, Buffer.from(await wb.xlsx.writeBuffer()), 'roster.xlsx');
    expect(bad.status).toBe(400);
    expect(bad.body.error.details).toEqual([{ line: 4, schoolCode: '420203-01', reason: '教师数 (teachers) is not a whole number ≥ 0: "12.5"' }]);
  });

  test('when the CSV has a BOM, CRLF, quotes and a raw text/csv body, then it is read; a missing column or non-UTF-8 text is refused', async () => {
    const campaignId = await makeCampaign(orm, noticeWindows(2017));
    const text = '\uFEFF学校代码,学校名称,教师数,学生数,平台空间数\r\n420202-01,"黄石港区第一小学, 本部","1,200",12000,400\r\n';
    const res = await request(api.app).post('/api/rosters/import').query({ campaignId }).set(huangshi.auth).set('content-type', 'text/csv').send(text);
    expect(res.status).toBe(200);
    expect((await rosterRows(campaignId))[0]).toMatchObject({ code: '420202-01', teachers: 1200 });
    const missing = await upload(huangshi.auth, campaignId, csv('学校代码,教师数,学生数', '420202-01,1,1'));
    expect(missing.status).toBe(400);
    expect(missing.body.error.details).toEqual([{ line: 1, reason: 'missing column 平台空间数 (platformSpaces)' }]);
    const gbk = Buffer.from([0xd1, 0xa7, 0xd0, 0xa3, 0xb4, 0xfa, 0xc2, 0xeb, 0x2c, 0x31, 0x0a]); // "学校代码,1" in GBK
    const notUtf8 = await upload(huangshi.auth, campaignId, gbk);
    expect(notUtf8.status).toBe(400);
    expect(notUtf8.body.error.message).toMatch(/not UTF-8/);
  });

  test('when a dry run is asked, then the file is checked and nothing is written; county admins import their own county only; auditors cannot import', async () => {
    const campaignId = await makeCampaign(orm, noticeWindows(2017));
    const dry = await request(api.app).post('/api/rosters/import').query({ campaignId, dryRun: 'true' }).set(huangshi.auth).attach('file', Buffer.from(GOOD), 'roster.csv');
    expect(dry.body).toMatchObject({ status: 'valid', rows: 3 });
    expect(await rosterRows(campaignId)).toEqual([]);
    const [tieshan] = await orm.em.fork().getConnection().execute(`select id from county where code = '420205'`);
    const county = await loginAs(api, 'county_admin', { countyId: tieshan.id });
    const res = await upload(county.auth, campaignId, GOOD);
    expect(res.status).toBe(400);
    expect(res.body.error.details.map((d: { line: number }) => d.line)).toEqual([2, 3]);
    const auditor = await loginAs(api, 'auditor');
    expect((await upload(auditor.auth, campaignId, GOOD)).status).toBe(403);
    const list = await request(api.app).get('/api/rosters').query({ campaignId, region: 'county:420205' }).set(county.auth);
    expect(list.status).toBe(200);
    expect(list.body.items.map((i: { code: string; teachers: number | null }) => [i.code, i.teachers])).toEqual([
      ['420205-01', null],
      ['420205-02', null],
      ['420205-03', null],
    ]);
  });
});
