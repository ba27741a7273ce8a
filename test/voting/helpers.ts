import { createHash, randomBytes, randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Orm } from '../../db/orm';
import { entrantWorkflowId } from '../../lib/ids';
import type { Category } from '../../lib/rules/schedule';
import { loginAs, type TestApi } from '../helpers/api';
import { schoolByName, uniqueId } from '../helpers/db';
import { eventually } from '../helpers/wait';

/** Voter accounts with sessions written straight into the tables (a login per voter would take seconds). */
export async function voters(orm: Orm, n: number, opts: { createdAt?: Date } = {}): Promise<{ id: string; auth: { Authorization: string } }[]> {
  const out: { id: string; auth: { Authorization: string } }[] = [];
  const accounts: unknown[] = [];
  const sessions: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const id = randomUUID();
    const token = randomBytes(24).toString('base64url');
    accounts.push(id, uniqueId('voter'), 'x', `投票人${i}`, opts.createdAt ?? new Date());
    sessions.push(createHash('sha256').update(token).digest('hex'), id);
    out.push({ id, auth: { Authorization: `Bearer ${token}` } });
  }
  const conn = orm.em.fork().getConnection();
  await conn.execute(`insert into account (id, username, password_hash, display_name, role, created_at) values ${Array(n).fill(`(?, ?, ?, ?, 'voter', ?)`).join(',')}`, accounts);
  await conn.execute(`insert into session (token_hash, account_id, expires_at) values ${Array(n).fill(`(?, ?, now() + interval '1 day')`).join(',')}`, sessions);
  return out;
}

/** An entrant row already in a given state (no workflow): enough for votes, boosts and rankings. */
export async function entrantIn(
  orm: Orm,
  campaignId: string,
  o: { state?: string; category?: Category; schoolName?: string; stage?: string; name?: string; registeredAt?: Date } = {},
): Promise<{ id: string; accountId: string; schoolId: number; countyId: number; cityId: number }> {
  const school = await schoolByName(orm, o.schoolName ?? '黄石港区第一小学');
  const accountId = randomUUID();
  const conn = orm.em.fork().getConnection();
  await conn.execute(`insert into account (id, username, password_hash, display_name, role) values (?, ?, 'x', ?, ?)`, [
    accountId, uniqueId('entrant'), o.name ?? '参赛者', o.category === 'student' ? 'student' : 'teacher',
  ]);
  const id = randomUUID();
  await conn.execute(
    `insert into entrant (id, campaign_id, account_id, category, name, school_id, county_id, city_id, subject, stage, space_url, platform, state, workflow_id, registered_at, approved_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, '数学', ?, 'https://space.example.edu/u', '湖北教育云', ?, ?, ?, now())`,
    [id, campaignId, accountId, o.category ?? 'teacher', o.name ?? `参赛者${id.slice(0, 4)}`, school.id, school.county_id, school.city_id, o.stage ?? 'primary', o.state ?? 'approved', entrantWorkflowId(campaignId, id), o.registeredAt ?? new Date()],
  );
  return { id, accountId, schoolId: school.id, countyId: school.county_id, cityId: school.city_id };
}

/** A teacher registered over the API and approved by its school admin through the lifecycle workflow. */
export async function approvedTeacher(api: TestApi, campaignId: string, schoolName = '黄石港区第一小学'): Promise<string> {
  const school = await schoolByName(api.deps.orm, schoolName);
  const teacher = await loginAs(api, 'teacher');
  const res = await request(api.app)
    .post('/api/entrants')
    .set(teacher.auth)
    .send({ campaignId, category: 'teacher', schoolId: school.id, name: '王老师', subject: '语文', stage: 'primary', spaceUrl: 'https://space.example.edu/wang', platform: '湖北教育云' });
  if (res.status !== 201) throw new Error(`registration failed: ${res.status} ${JSON.stringify(res.body)}`);
  const id = res.body.id as string;
  await eventually(async () => ((await request(api.app).get(`/api/entrants/${id}`).set(teacher.auth)).body.state === 'pending_approval' ? true : undefined), 'pending_approval');
  const admin = await loginAs(api, 'school_admin', { schoolId: school.id });
  const approved = await request(api.app).post(`/api/entrants/${id}/approve`).set(admin.auth).send({});
  if (approved.body.state !== 'approved') throw new Error(`approval failed: ${approved.status} ${JSON.stringify(approved.body)}`);
  return id;
}

export async function tally(orm: Orm, entrantId: string): Promise<{ votes: number; accepted_boosts: number; counted: number }> {
  const [row] = await orm.em.fork().getConnection().execute(
    `select coalesce(t.votes, 0) as votes, coalesce(t.accepted_boosts, 0) as accepted_boosts, (select count(*)::int from vote where entrant_id = ?) as counted
     from (select 1) one left join entrant_tally t on t.entrant_id = ?`,
    [entrantId, entrantId],
  );
  return row as { votes: number; accepted_boosts: number; counted: number };
}
