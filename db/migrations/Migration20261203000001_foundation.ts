import { Migration } from '@mikro-orm/migrations';

// Hand-written so that the constraints that carry rules (uniques, checks, partial
// indexes) are stated exactly; the entity schemas in db/entities mirror these tables.
export class Migration20261203000001_foundation extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table city (
        id serial primary key,
        code text not null unique,
        name text not null unique,
        sort_order int not null
      );
      create table county (
        id serial primary key,
        code text not null unique,
        name text not null,
        city_id int not null references city(id),
        unique (city_id, name)
      );
      create table school (
        id serial primary key,
        code text not null unique,
        name text not null,
        county_id int not null references county(id),
        city_id int not null references city(id),
        stages text[] not null check (cardinality(stages) > 0)
      );
      create index school_county_idx on school(county_id);

      create table account (
        id uuid primary key,
        username text not null unique,
        password_hash text not null,
        display_name text not null,
        email text,
        role text not null check (role in ('teacher','education_worker','student','voter','school_admin','county_admin','city_admin','province_admin','expert','auditor')),
        city_id int references city(id),
        county_id int references county(id),
        school_id int references school(id),
        disabled boolean not null default false,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        check (role <> 'school_admin' or school_id is not null),
        check (role <> 'county_admin' or county_id is not null),
        check (role <> 'city_admin' or city_id is not null)
      );

      create table session (
        token_hash text primary key,
        account_id uuid not null references account(id) on delete cascade,
        created_at timestamptz not null default now(),
        expires_at timestamptz not null
      );
      create index session_account_idx on session(account_id);

      create table campaign (
        id text primary key check (id ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
        name text not null,
        year int not null,
        config jsonb not null,
        schedule jsonb not null,
        demo boolean not null default false,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );

      create table campaign_event (
        id bigserial primary key,
        campaign_id text not null references campaign(id),
        seq int not null,
        change jsonb not null,
        at timestamptz not null,
        unique (campaign_id, seq)
      );

      create table entrant (
        id uuid primary key,
        campaign_id text not null references campaign(id),
        account_id uuid not null references account(id),
        category text not null check (category in ('teacher','student','education_worker')),
        name text not null,
        school_id int not null references school(id),
        county_id int not null references county(id),
        city_id int not null references city(id),
        subject text not null,
        stage text not null check (stage in ('primary','junior','senior')),
        space_url text not null,
        platform text not null,
        browse_credentials text,
        state text not null,
        workflow_id text not null unique,
        idempotency_key text,
        registered_at timestamptz not null,
        approved_at timestamptz,
        last_reason text,
        recommended boolean not null default false,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        unique (campaign_id, account_id, category)
      );
      create unique index entrant_idempotency_idx on entrant(account_id, idempotency_key) where idempotency_key is not null;
      create index entrant_campaign_state_idx on entrant(campaign_id, state);
      create index entrant_campaign_school_idx on entrant(campaign_id, school_id, state);
      create index entrant_campaign_county_idx on entrant(campaign_id, county_id, category, registered_at);
      create index entrant_campaign_city_idx on entrant(campaign_id, city_id, category, registered_at);

      create table entrant_transition (
        id bigserial primary key,
        entrant_id uuid not null references entrant(id),
        workflow_id text not null,
        event_key text not null,
        from_state text not null,
        to_state text not null,
        actor_account_id uuid,
        actor_role text not null,
        reason text,
        details jsonb,
        at timestamptz not null,
        unique (workflow_id, event_key)
      );
      create index entrant_transition_entrant_idx on entrant_transition(entrant_id, at);
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`
      drop table if exists entrant_transition, entrant, campaign_event, campaign, session, account, school, county, city cascade;
    `);
  }
}
