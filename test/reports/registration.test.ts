import ExcelJS from 'exceljs';
import request from 'supertest';
import type { Orm } from '../../db/orm';
import { noticeWindows } from '../../lib/rules/schedule';
import { loginAs, testApi, type TestApi } from '../helpers/api';
import { makeCampaign, testOrm } from '../helpers/db';
import { loadEntrants, noTemporal } from './fixtures';
import {
  APPROVED_TEACHERS_13,
  APPROVED_TEACHERS_18,
  HUANGSHI_ROSTER_CSV,
  NOTICE_STUDENTS_18,
  NOTICE_TEACHER_CHANGE,
  NOTICE_TEACHERS_18,
  noticeBatches,
} from './notice-fixture';

let orm: Orm;
let api: TestApi;
let campaignId: string;
let province: Awaited<ReturnType<typeof loginAs>>;
let huangshi: Awaited<ReturnType<typeof loginAs>>;
let huangshiId: number;

// Binary bodies (XLSX) as Buffers for supertest.
const binary = ((res: NodeJS.ReadableStream, cb: (err: Error | null, body: Buffer) => void): void => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => cb(null, Buffer.concat(chunks)));
}) as unknown as Parameters<request.Test['parse']>[0];

const byName = (rows: { name: string; figures: Record<string, Record<string, unknown>> }[], pick: (f: Record<string, Record<string, unknown>>) => unknown) =>
  Object.fromEntries(rows.map((r) => [r.name, pick(r.figures)]));

beforeAll(async () => {
  orm = await testOrm();
  api = testApi(orm, noTemporal);
  campaignId = await makeCampaign(orm, noticeWindows(2017));
  await loadEntrants(orm, campaignId, noticeBatches());
  // The same city in another campaign must not leak into this one.
  const other = await makeCampaign(orm, noticeWindows(2017));
  await loadEntrants(orm, other, [{ school: '420202-01', category: 'teacher', count: 50, registeredAt: '2017-06-10T09:00:00+08:00' }]);
  [{ id: huangshiId }] = await orm.em.fork().getConnection().execute(`select id from city where code = '4202'`);
  province = await loginAs(api, 'province_admin');
  huangshi = await loginAs(api, 'city_admin', { cityId: huangshiId });
});

afterAll(async () => {
  await api?.close();
  await orm?.close();
});

const report = (auth: Record<string, string>, query: Record<string, string>) =>
  request(api.app).get('/api/reports/registration').set(auth).query({ campaignId, ...query });

describe('registration progress report of the notice (SPEC §9)', () => {
  test('when 黄石市 is reported as of the 18th, then teachers are 475 and students 27 by the notice’s units, and the units nobody signed up in show 0', async () => {
    const res = await report(huangshi.auth, { region: 'city:4202', asOf: '2017-06-18' });
    expect(res.status).toBe(200);
    expect(res.body.region).toEqual({ level: 'city', code: '4202', name: '黄石市', key: 'city:4202' });
    expect(res.body.unitLevel).toBe('county');
    expect(res.body.asOf).toBe('2017-06-19T00:00:00+08:00');
    expect(byName(res.body.rows, (f) => f.teachers.registered)).toEqual(NOTICE_TEACHERS_18);
    expect(byName(res.body.rows, (f) => f.students.registered)).toEqual(NOTICE_STUDENTS_18);
    expect(res.body.total.teachers.registered).toBe(475);
    expect(res.body.total.students.registered).toBe(27);
    expect(res.body.total.teachers.change).toBeNull();
    expect(res.body.summary).toContain(
      '全市活动教师报名人数为475人，其中黄石港区206人、大冶市124人、铁山区71人、下陆区34人、直属高中32人、西塞山区7人、阳新县1人，市辖区、开发区无人报名。',
    );
    expect(res.body.summary).toContain('全市活动学生报名人数为27人，其中铁山区25人、黄石港区2人，其他单位均没有学生报名。');
    expect(res.body.chart.categories).toEqual(res.body.rows.map((r: { name: string }) => r.name));
    expect(res.body.chart.series[0]).toEqual({ key: 'teachers.registered', name: '教师报名', data: res.body.rows.map((r: { figures: { teachers: { registered: number } } }) => r.figures.teachers.registered) });
  });

  test('when compared with the 13th, then teachers grew by 95: 铁山区 +55, 下陆区 +21, 西塞山区 +7, 直属高中 (the notice’s 市辖区) +6, 大冶市 +5, 阳新县 +1', async () => {
    const res = await report(huangshi.auth, { region: 'city:4202', asOf: '2017-06-18', compareTo: '2017-06-13' });
    expect(res.status).toBe(200);
    expect(byName(res.body.rows, (f) => (f.teachers.change as { registered: number }).registered)).toEqual(NOTICE_TEACHER_CHANGE);
    expect(res.body.total.teachers.change).toEqual({ registered: 95, approved: APPROVED_TEACHERS_18 - APPROVED_TEACHERS_13 });
    expect(res.body.total.students.change).toEqual({ registered: 5, approved: 0 });
    expect(res.body.summary).toContain(
      '通过对比2017年6月13日和2017年6月18日的数据，全市教师的报名总人数增加了95人，其中铁山区增加了55人，下陆区增加了21人，西塞山区增加了7人，直属高中增加了6人，大冶市增加了5人，阳新县增加了1人。',
    );
    const the13th = await report(huangshi.auth, { region: 'city:4202', asOf: '2017-06-13' });
    expect(the13th.body.total.teachers.registered).toBe(380);
  });

  test('when approvals are counted as of a date, then only those approved before its end count, and leavers count on neither side', async () => {
    const res = await report(huangshi.auth, { region: 'city:4202', asOf: '2017-06-18' });
    expect(res.body.total.teachers.approved).toBe(APPROVED_TEACHERS_18);
    expect(byName(res.body.rows, (f) => f.teachers.approved)).toMatchObject({ 黄石港区: 100, 大冶市: 115, 铁山区: 10, 下陆区: 12, 直属高中: 26, 西塞山区: 0 });
    expect(res.body.total.students.approved).toBe(20);
    // One second earlier than the end of the 18th: 阳新县's entrant of 23:59:59 is not yet in.
    const instant = await report(huangshi.auth, { region: 'city:4202', asOf: '2017-06-18T23:59:59+08:00' });
    expect(instant.body.total.teachers.registered).toBe(474);
    // After the 下陆区 withdrawal on the 20th, today's count drops but the 18th's does not.
    const later = await report(huangshi.auth, { region: 'city:4202', asOf: '2017-06-20' });
    expect(byName(later.body.rows, (f) => f.teachers.registered)).toMatchObject({ 下陆区: 33, 开发区: 1 });
  });

  test('when the rosters are imported, then the rates are against 100% of teachers, 10% of students and the 1,975 platform spaces', async () => {
    const imported = await request(api.app).post('/api/rosters/import').query({ campaignId }).set(huangshi.auth).set('content-type', 'text/csv').send(HUANGSHI_ROSTER_CSV);
    expect(imported.status).toBe(200);
    expect(imported.body).toMatchObject({ status: 'imported', rows: 8, inserted: 8 });
    const res = await report(huangshi.auth, { region: 'city:4202', asOf: '2017-06-18' });
    expect(res.body.total.teachers).toMatchObject({ registered: 475, eligible: 4000, targetRate: 1, target: 4000, progress: 0.1188, platformSpaces: 1975, platformProgress: 0.2405 });
    expect(res.body.total.students).toMatchObject({ registered: 27, eligible: 60000, targetRate: 0.1, target: 6000, progress: 0.0045 });
    const tieshan = res.body.rows.find((r: { name: string }) => r.name === '铁山区');
    expect(tieshan.figures.teachers).toMatchObject({ eligible: 400, target: 400, progress: 0.1775, platformSpaces: 200, platformProgress: 0.355 });
    expect(tieshan.figures.students).toMatchObject({ eligible: 6000, target: 600, progress: 0.0417 });
    const shixiaqu = res.body.rows.find((r: { name: string }) => r.name === '市辖区');
    expect(shixiaqu.figures.teachers).toMatchObject({ registered: 0, eligible: null, target: null, progress: null });
  });

  test('when exported as XLSX and read back with the same library, then it holds the same numbers with Chinese headers', async () => {
    const json = await report(huangshi.auth, { region: 'city:4202', asOf: '2017-06-18', compareTo: '2017-06-13' });
    const res = await request(api.app)
      .get('/api/reports/registration.xlsx')
      .set(huangshi.auth)
      .query({ campaignId, region: 'city:4202', asOf: '2017-06-18', compareTo: '2017-06-13' })
      .buffer(true)
      .parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('spreadsheetml');
    expect(res.headers['content-disposition']).toMatch(/^attachment;/);
    expect(decodeURIComponent(res.headers['content-disposition'])).toContain('报名情况-黄石市-2017-06-18-对比2017-06-13.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body);
    const ws = wb.getWorksheet('报名情况')!;
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    expect(header.slice(0, 4)).toEqual(['代码', '县市区', '教师报名人数', '教师审核通过人数']);
    const col = (h: string) => header.indexOf(h) + 1;
    const sheet: Record<string, { teachers: number; students: number; change: number; approved: number }> = {};
    ws.eachRow((row, n) => {
      if (n === 1) return;
      sheet[String(row.getCell(2).value)] = {
        teachers: row.getCell(col('教师报名人数')).value as number,
        students: row.getCell(col('学生报名人数')).value as number,
        change: row.getCell(col('教师报名增加')).value as number,
        approved: row.getCell(col('教师审核通过人数')).value as number,
      };
    });
    for (const r of json.body.rows) {
      expect(sheet[r.name]).toEqual({ teachers: r.figures.teachers.registered, students: r.figures.students.registered, change: r.figures.teachers.change.registered, approved: r.figures.teachers.approved });
    }
    expect(sheet['合计']).toEqual({ teachers: 475, students: 27, change: 95, approved: APPROVED_TEACHERS_18 });
    expect(Object.keys(sheet)).toHaveLength(json.body.rows.length + 1);
    expect(String(wb.getWorksheet('说明')!.getRow(8).getCell(2).value)).toContain('全市活动教师报名人数为475人');
  });

  test('when exported as CSV, then it starts with a BOM, has Chinese headers and the same totals, and comes as an attachment', async () => {
    const res = await request(api.app).get('/api/reports/registration.csv').set(huangshi.auth).query({ campaignId, region: 'city:4202', asOf: '2017-06-18' }).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toMatch(/^attachment;.*filename\*=UTF-8''/);
    const text = (res.body as Buffer).toString('utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const lines = text.slice(1).trim().split('\r\n');
    expect(lines[0].split(',').slice(0, 3)).toEqual(['代码', '县市区', '教师报名人数']);
    expect(lines).toContain(lines.find((l) => l.startsWith('420205,铁山区,71,')));
    expect(lines[lines.length - 1]).toMatch(/^4202,合计,475,/);
  });

  test('when the chart is asked as SVG, then each unit has its bars', async () => {
    const res = await request(api.app).get('/api/reports/registration.svg').set(huangshi.auth).query({ campaignId, region: 'city:4202', asOf: '2017-06-18' }).buffer(true).parse(binary);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toContain('image/svg+xml');
    const svg = (res.body as Buffer).toString('utf8');
    expect(svg).toContain('>黄石港区</text>');
    expect(svg).toContain('>206</text>');
    expect(svg.match(/<rect /g)).toHaveLength(2 + 2 * 9);
  });

  test('when a county is reported, then it drills down to its schools; by=school lists a city’s schools', async () => {
    const [tieshan] = await orm.em.fork().getConnection().execute(`select id from county where code = '420205'`);
    const county = await loginAs(api, 'county_admin', { countyId: tieshan.id });
    const res = await report(county.auth, { asOf: '2017-06-18' });
    expect(res.status).toBe(200);
    expect(res.body.region.key).toBe('county:420205');
    expect(res.body.unitLevel).toBe('school');
    expect(byName(res.body.rows, (f) => f.teachers.registered)).toEqual({ 铁山区第一小学: 40, 铁山区实验小学: 5, 铁山区第一中学: 26 });
    const schools = await report(huangshi.auth, { region: 'city:4202', asOf: '2017-06-18', by: 'school' });
    expect(schools.body.rows).toHaveLength(38);
    expect(schools.body.total.teachers.registered).toBe(475);
    expect(schools.body.rows.find((r: { code: string }) => r.code === '420290-02')).toMatchObject({ name: '黄石二中', county: '直属高中' });
  });

  test('when the province is reported, then all 17 cities are listed, with 0 where nobody signed up', async () => {
    const auditor = await loginAs(api, 'auditor');
    const res = await report(auditor.auth, { region: 'province', asOf: '2017-06-18' });
    expect(res.status).toBe(200);
    expect(res.body.rows).toHaveLength(17);
    const teachers = byName(res.body.rows, (f) => f.teachers.registered);
    expect(teachers).toMatchObject({ 黄石市: 475, 武汉市: 1, 十堰市: 0 });
    expect(res.body.total.teachers.registered).toBe(476);
    expect(res.body.summary).toContain('全省活动教师报名人数为476人');
  });

  test('when an admin asks outside its subtree, then 403; a school admin gets no report', async () => {
    expect((await report(huangshi.auth, { region: 'city:4201', asOf: '2017-06-18' })).status).toBe(403);
    expect((await report(huangshi.auth, { region: 'province' })).status).toBe(403);
    expect((await report(huangshi.auth, { region: 'county:420102' })).status).toBe(403);
    expect((await report(huangshi.auth, { region: 'county:420205' })).status).toBe(200);
    const [tieshan] = await orm.em.fork().getConnection().execute(`select id from county where code = '420205'`);
    const county = await loginAs(api, 'county_admin', { countyId: tieshan.id });
    expect((await report(county.auth, { region: 'city:4202' })).status).toBe(403);
    expect((await report(county.auth, { region: 'county:420204' })).status).toBe(403);
    const schoolAdmin = await loginAs(api, 'school_admin', { schoolId: (await orm.em.fork().getConnection().execute(`select id from school where code = '420205-01'`))[0].id });
    expect((await report(schoolAdmin.auth, {})).status).toBe(403);
    expect((await request(api.app).get('/api/reports/registration.xlsx').set(schoolAdmin.auth).query({ campaignId })).status).toBe(403);
    expect((await request(api.app).get('/api/reports/registration').query({ campaignId })).status).toBe(401);
  });

  test('when the parameters are wrong, then 400 names them; an unknown region is 404', async () => {
    const bad = await report(province.auth, { region: 'town:1', asOf: '18 June' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['query.asOf', 'query.region']);
    expect((await report(province.auth, { region: 'city:4299' })).status).toBe(404);
    expect((await report(province.auth, { region: 'city:4202', asOf: '2017-02-30' })).status).toBe(400);
  });
});
