import request from 'supertest';
import type { Orm } from '../../db/orm';
import { loginAs, testApi, type TestApi } from '../helpers/api';
import { makeAccount, testOrm } from '../helpers/db';
import { dashboardCampaign } from './dashboard-fixture';
import { noTemporal } from './fixtures';

let orm: Orm;
let api: TestApi;
let campaignId: string;
let huangshi: Awaited<ReturnType<typeof loginAs>>;

beforeAll(async () => {
  orm = await testOrm();
  api = testApi(orm, noTemporal);
  campaignId = await dashboardCampaign(orm);
  const conn = orm.em.fork().getConnection();
  const expert = await makeAccount(orm, 'expert');
  await conn.execute(
    `insert into expert_score (campaign_id, entrant_id, expert_account_id, items, rubric_total, adjustment, total, submitted_at, updated_at)
     select ?, e.id, ?, '{}'::jsonb, 80, 0, 80, now(), now() from entrant e where e.campaign_id = ? and e.state = 'in_review' limit 1`,
    [campaignId, expert.id, campaignId],
  );
  const [{ id }] = await conn.execute(`select id from city where code = '4202'`);
  huangshi = await loginAs(api, 'city_admin', { cityId: id });
});

afterAll(async () => {
  await api?.close();
  await orm?.close();
});

describe('campaign dashboard', () => {
  test('when a city admin opens the dashboard, then it shows its city: registrations per Asia/Shanghai day with empty days, pending approvals per school, quota use, review progress', async () => {
    const res = await request(api.app).get('/api/reports/dashboard').query({ campaignId }).set(huangshi.auth);
    expect(res.status).toBe(200);
    expect(res.body.region.key).toBe('city:4202');
    expect(res.body.registrationsPerDay).toEqual([
      { day: '2017-06-01', teachers: 3, students: 0 },
      { day: '2017-06-02', teachers: 0, students: 0 },
      { day: '2017-06-03', teachers: 5, students: 2 },
      { day: '2017-06-04', teachers: 0, students: 0 },
      { day: '2017-06-05', teachers: 8, students: 1 },
    ]);
    expect(res.body.approvalsPendingPerSchool).toEqual([
      expect.objectContaining({ code: '420202-01', name: '黄石港区第一小学', county: '黄石港区', teachers: 3, students: 0, total: 3, oldestRegisteredAt: '2017-06-01T09:00:00+08:00' }),
      expect.objectContaining({ code: '420205-03', county: '铁山区', teachers: 0, students: 2, total: 2 }),
    ]);
    expect(res.body.recommendationsAgainstQuota).toEqual([{ cityCode: '4202', city: '黄石市', teachers: { used: 2, quota: 15 }, students: { used: 1, quota: 10 } }]);
    expect(res.body.reviewProgress).toEqual({ selected: 6, inReview: 4, reviewed: 2, published: 0, rate: 0.3333, scoresSubmitted: 1 });
    expect(res.body.states).toEqual({ pending_approval: 5, approved: 8, in_review: 4, reviewed: 2 });
    expect(res.body.votesPerDay).toEqual([{ day: '2017-06-10', votes: 2 }, { day: '2017-06-11', votes: 1 }]);
  });

  test('when the province admin opens it, then every city’s quota is listed and other cities’ schools appear; a county admin is refused', async () => {
    const province = await loginAs(api, 'province_admin');
    const res = await request(api.app).get('/api/reports/dashboard').query({ campaignId }).set(province.auth);
    expect(res.status).toBe(200);
    expect(res.body.recommendationsAgainstQuota).toHaveLength(17);
    expect(res.body.recommendationsAgainstQuota[0]).toEqual({ cityCode: '4201', city: '武汉市', teachers: { used: 0, quota: 25 }, students: { used: 0, quota: 20 } });
    expect(res.body.approvalsPendingPerSchool.map((s: { code: string }) => s.code)).toEqual(['420202-01', '420205-03', '420102-01']);
    const narrowed = await request(api.app).get('/api/reports/dashboard').query({ campaignId, region: 'county:420205' }).set(province.auth);
    expect(narrowed.body.approvalsPendingPerSchool.map((s: { code: string }) => s.code)).toEqual(['420205-03']);
    expect((await request(api.app).get('/api/reports/dashboard').query({ campaignId, region: 'city:4201' }).set(huangshi.auth)).status).toBe(403);
    const [tieshan] = await orm.em.fork().getConnection().execute(`select id from county where code = '420205'`);
    const county = await loginAs(api, 'county_admin', { countyId: tieshan.id });
    expect((await request(api.app).get('/api/reports/dashboard').query({ campaignId }).set(county.auth)).status).toBe(403);
  });
});
