import { randomBytes, randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import { hashPassword } from '../../lib/passwords';
import { campaignConfigSchema, DEFAULT_AWARD_TIERS, DEFAULT_RUBRIC, type CampaignConfig } from '../../lib/campaign-config';
import type { Windows } from '../../lib/rules/schedule';
import type { Role } from '../entities';
import type { Orm } from '../orm';
import { inTransaction } from '../transaction';
import { CITIES } from './regions';

/** Upserts the region tree by code; running it again changes nothing. */
export async function seedRegions(orm: Orm): Promise<{ cities: number; counties: number; schools: number }> {
  let counties = 0;
  let schools = 0;
  await inTransaction(orm, async (run) => {
    for (const [i, city] of CITIES.entries()) {
      const [{ id: cityId }] = await run(
        `insert into city (code, name, sort_order) values (?, ?, ?)
         on conflict (code) do update set name = excluded.name, sort_order = excluded.sort_order returning id`,
        [city.code, city.name, i + 1],
      );
      for (const county of city.counties) {
        counties += 1;
        const [{ id: countyId }] = await run(
          `insert into county (code, name, city_id) values (?, ?, ?)
           on conflict (code) do update set name = excluded.name returning id`,
          [county.code, county.name, cityId],
        );
        for (const school of county.schools) {
          schools += 1;
          await run(
            `insert into school (code, name, county_id, city_id, stages) values (?, ?, ?, ?, ?::text[])
             on conflict (code) do update set name = excluded.name, stages = excluded.stages`,
            [school.code, school.name, countyId, cityId, `{${school.stages.join(',')}}`],
          );
        }
      }
    }
  });
  return { cities: CITIES.length, counties, schools };
}

/** SPEC §5–§6 quotas keyed by city code. */
export function defaultQuotas(): CampaignConfig['quotas'] {
  return Object.fromEntries(CITIES.map((c) => [c.code, { teacher: c.teacherQuota, student: c.studentQuota, expert: c.expertQuota }]));
}

export function defaultCampaignConfig(windows: Windows): CampaignConfig {
  return campaignConfigSchema.parse({
    windows,
    quotas: defaultQuotas(),
    rubric: DEFAULT_RUBRIC,
    awards: { tiers: DEFAULT_AWARD_TIERS },
  });
}

/** Inserts a campaign row; the campaign workflow then owns its schedule. Idempotent by id. */
export async function insertCampaign(orm: Orm, c: { id: string; name: string; year: number; config: CampaignConfig; demo?: boolean }): Promise<boolean> {
  const config = campaignConfigSchema.parse(c.config);
  const rows = await orm.em.fork().getConnection().execute(
    `insert into campaign (id, name, year, config, schedule, demo) values (?, ?, ?, ?::jsonb, ?::jsonb, ?)
     on conflict (id) do nothing returning id`,
    [c.id, c.name, c.year, JSON.stringify(config), JSON.stringify({ version: 1, windows: config.windows }), c.demo ?? false],
  );
  return rows.length > 0;
}

export interface NewAccount {
  username: string;
  displayName: string;
  role: Role;
  email?: string;
  cityId?: number;
  countyId?: number;
  schoolId?: number;
  password?: string;
}

export function generatePassword(): string {
  return randomBytes(12).toString('base64url');
}

/** Creates an account unless the username exists; returns the password only when it created one. */
export async function ensureAccount(em: EntityManager, a: NewAccount): Promise<{ id: string; password?: string }> {
  const conn = em.getConnection();
  const [existing] = await conn.execute(`select id from account where username = ?`, [a.username]);
  if (existing) return { id: existing.id };
  const password = a.password ?? generatePassword();
  const id = randomUUID();
  const rows = await conn.execute(
    `insert into account (id, username, password_hash, display_name, email, role, city_id, county_id, school_id)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (username) do nothing returning id`,
    [id, a.username, await hashPassword(password), a.displayName, a.email ?? null, a.role, a.cityId ?? null, a.countyId ?? null, a.schoolId ?? null],
  );
  if (rows.length === 0) return { id: (await conn.execute(`select id from account where username = ?`, [a.username]))[0].id };
  return { id, password };
}
