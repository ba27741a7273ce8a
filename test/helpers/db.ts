import { randomUUID } from 'node:crypto';
import { initORM, type Orm } from '../../db/orm';
import { defaultCampaignConfig, ensureAccount, insertCampaign } from '../../db/seed';
import { entrantWorkflowId } from '../../lib/ids';
import type { Category, Windows } from '../../lib/rules/schedule';
import type { Role } from '../../db/entities';

export async function testOrm(): Promise<Orm> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) throw new Error('TEST_DATABASE_URL is not set: run through jest (test/global-setup.ts)');
  return initORM(url, { pool: { min: 0, max: 5 } });
}

let counter = 0;
export function uniqueId(prefix: string): string {
  counter += 1;
  return `${prefix}-${Date.now().toString(36)}-${process.pid.toString(36)}-${counter}`;
}

export async function makeCampaign(orm: Orm, windows: Windows): Promise<string> {
  const id = uniqueId('t');
  await insertCampaign(orm, { id, name: `测试活动 ${id}`, year: 2017, config: defaultCampaignConfig(windows) });
  return id;
}

export async function schoolByName(orm: Orm, name: string): Promise<{ id: number; county_id: number; city_id: number }> {
  const [row] = await orm.em.fork().getConnection().execute(`select id, county_id, city_id from school where name = ?`, [name]);
  if (!row) throw new Error(`no school named ${name}`);
  return row as { id: number; county_id: number; city_id: number };
}

export async function firstSchoolOfCity(orm: Orm, cityName: string, offset = 0): Promise<{ id: number; county_id: number; city_id: number; name: string }> {
  const rows = await orm.em.fork().getConnection().execute(
    `select s.id, s.county_id, s.city_id, s.name from school s join city c on c.id = s.city_id where c.name = ? order by s.id limit 1 offset ?`,
    [cityName, offset],
  );
  if (!rows[0]) throw new Error(`no school in ${cityName}`);
  return rows[0] as { id: number; county_id: number; city_id: number; name: string };
}

export async function makeAccount(orm: Orm, role: Role, scope: { cityId?: number; countyId?: number; schoolId?: number } = {}, password = 'correct horse battery') {
  const username = uniqueId(role);
  const { id } = await ensureAccount(orm.em.fork(), { username, displayName: username, role, password, ...scope });
  return { id, username, password, role };
}

/** An entrant row as the registration endpoint writes it, before its workflow starts. */
export async function makeEntrantRow(orm: Orm, campaignId: string, category: Category, schoolName = '黄石港区第一小学') {
  const school = await schoolByName(orm, schoolName);
  const account = await makeAccount(orm, category === 'student' ? 'student' : 'teacher');
  const id = randomUUID();
  const workflowId = entrantWorkflowId(campaignId, id);
  await orm.em.fork().getConnection().execute(
    `insert into entrant (id, campaign_id, account_id, category, name, school_id, county_id, city_id, subject, stage, space_url, platform, state, workflow_id, registered_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, '数学', 'primary', 'https://space.example.edu/u/1', '湖北教育云', 'submitted', ?, now())`,
    [id, campaignId, account.id, category, `参赛者${id.slice(0, 4)}`, school.id, school.county_id, school.city_id, workflowId],
  );
  return { id, workflowId, account };
}
