// Run by `npm start` before the worker and API: applies migrations, seeds the region tree
// and quotas, and — in demo mode only — a demo campaign around today with one account per
// role. Idempotent: a second run changes nothing and prints no password again.
import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { startCampaignWorkflow } from '../api/services/campaigns';
import type { Role } from '../db/entities';
import { initORM, migrate } from '../db/orm';
import { defaultCampaignConfig, ensureAccount, insertCampaign, seedRegions } from '../db/seed';
import { loadConfig } from '../lib/config';
import { demoWindows } from '../lib/rules/schedule';
import { shanghaiDay } from '../lib/time';

interface DemoAccount {
  username: string;
  displayName: string;
  role: Role;
  school?: string;
  county?: string;
  city?: string;
}

const DEMO_ACCOUNTS: DemoAccount[] = [
  { username: 'auditor', displayName: '审计员', role: 'auditor' },
  { username: 'huangshi-city', displayName: '黄石市教育局', role: 'city_admin', city: '黄石市' },
  { username: 'huangshigang-county', displayName: '黄石港区教育局', role: 'county_admin', county: '黄石港区' },
  { username: 'school-admin', displayName: '黄石港区第一小学管理员', role: 'school_admin', school: '黄石港区第一小学' },
  { username: 'expert', displayName: '评审专家', role: 'expert', city: '武汉市' },
  { username: 'teacher', displayName: '王老师', role: 'teacher' },
  { username: 'student', displayName: '李同学', role: 'student' },
  { username: 'voter', displayName: '投票用户', role: 'voter' },
];

async function main(): Promise<void> {
  const config = loadConfig();
  const orm = await initORM(config.DATABASE_URL);
  const applied = await migrate(orm);
  if (applied.length) console.log(`[setup] migrations applied: ${applied.join(', ')}`);
  const regions = await seedRegions(orm);
  console.log(`[setup] regions: ${regions.cities} cities, ${regions.counties} counties, ${regions.schools} schools`);

  const em = orm.em.fork();
  const conn = em.getConnection();
  const issued: string[] = [];
  const admin = await ensureAccount(em, { username: 'admin', displayName: '省组委会管理员', role: 'province_admin', email: config.ADMIN_EMAIL });
  if (admin.password) issued.push(`province_admin  admin  ${admin.password}`);

  if (config.APP_MODE === 'demo') {
    const today = shanghaiDay(Date.now());
    const id = `demo-${today.slice(0, 4)}`;
    const created = await insertCampaign(orm, { id, name: `${today.slice(0, 4)}年湖北省中小学师生“网络学习空间”交流展示活动（演示）`, year: Number(today.slice(0, 4)), config: defaultCampaignConfig(demoWindows(today)), demo: true });
    const [campaign] = await conn.execute(`select schedule from campaign where id = ?`, [id]);
    const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
    await startCampaignWorkflow(new Client({ connection, namespace: config.TEMPORAL_NAMESPACE }), id, campaign.schedule.windows);
    await connection.close();
    console.log(`[setup] demo campaign ${id} ${created ? 'created' : 'already there'}`);
    for (const a of DEMO_ACCOUNTS) {
      const [place] = a.school
        ? await conn.execute(`select id as school_id, county_id, city_id from school where name = ?`, [a.school])
        : a.county
          ? await conn.execute(`select id as county_id, city_id from county where name = ?`, [a.county])
          : a.city
            ? await conn.execute(`select id as city_id from city where name = ?`, [a.city])
            : [{}];
      const made = await ensureAccount(em, { username: a.username, displayName: a.displayName, role: a.role, email: `${a.username}@demo.learning-space.local`, schoolId: place?.school_id, countyId: place?.county_id, cityId: place?.city_id });
      if (made.password) issued.push(`${a.role.padEnd(15)} ${a.username}  ${made.password}`);
    }
  }
  await orm.close();

  if (issued.length) {
    // Printed first: the passwords are never lost to a data directory that cannot be written.
    console.log('\n[setup] accounts created (passwords shown once):');
    for (const line of issued) console.log(`  ${line}`);
    const file = path.resolve(config.DATA_DIR, 'first-start-credentials.txt');
    try {
      mkdirSync(path.dirname(file), { recursive: true });
      appendFileSync(file, `${new Date().toISOString()}\n${issued.join('\n')}\n`, { mode: 0o600 });
      console.log(`[setup] also kept in ${file}`);
    } catch (err) {
      console.warn(`[setup] could not keep them in ${file} (${(err as Error).message}); copy them from above`);
    }
    console.log('');
  }
}

main().catch((err) => {
  console.error('[setup] failed:', err);
  process.exit(1);
});
