import { Migration } from '@mikro-orm/migrations';

// 市州推优 and 市州推荐省级评审专家 (SPEC §5–§6). The lifecycle's `entrant.recommended`
// stays the truth for the review selection; `recommendation` is the city's ledger that the
// quota is counted on. `campaign_expert` is the pool the review assignment draws from.
export class Migration20261203160000_recommendations_experts extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table recommendation (
        id uuid primary key,
        campaign_id text not null references campaign(id),
        entrant_id uuid not null references entrant(id),
        city_id int not null references city(id),
        category_group text not null check (category_group in ('teacher','student')),
        -- pending: quota reserved, the lifecycle not yet told; active: the lifecycle holds it.
        state text not null default 'pending' check (state in ('pending','active','withdrawn')),
        recommended_by uuid not null references account(id),
        reason text,
        created_at timestamptz not null default now(),
        activated_at timestamptz,
        withdrawn_at timestamptz,
        withdrawn_by uuid references account(id),
        withdraw_reason text,
        check ((state = 'withdrawn') = (withdrawn_at is not null))
      );
      create unique index recommendation_entrant_live_idx on recommendation(entrant_id) where state <> 'withdrawn';
      create index recommendation_quota_idx on recommendation(campaign_id, city_id, category_group) where state <> 'withdrawn';

      create table expert_nomination (
        id uuid primary key,
        campaign_id text not null references campaign(id),
        city_id int not null references city(id),
        name text not null,
        email text not null,
        title text not null,
        speciality text not null,
        stages text[] not null check (cardinality(stages) > 0 and stages <@ array['primary','junior','senior']::text[]),
        experience text not null,
        -- A statement per SPEC §6 criterion, keyed by criterion.
        criteria jsonb not null default '{}'::jsonb,
        state text not null default 'nominated'
          check (state in ('nominated','selected','rejected','invited','active','declined','expired')),
        workflow_id text not null unique,
        account_id uuid references account(id),
        nominated_by uuid not null references account(id),
        decided_by uuid references account(id),
        reason text,
        invitation_expires_at timestamptz,
        activated_at timestamptz,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now()
      );
      create index expert_nomination_quota_idx on expert_nomination(campaign_id, city_id, state);
      -- One live nomination per person and campaign; a freed one may be nominated again.
      create unique index expert_nomination_email_live_idx on expert_nomination(campaign_id, lower(email))
        where state not in ('rejected','declined','expired');

      create table expert_nomination_transition (
        id bigserial primary key,
        nomination_id uuid not null references expert_nomination(id),
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
      create index expert_nomination_transition_idx on expert_nomination_transition(nomination_id, at);

      -- One-time activation links: only the hash of the token is kept.
      create table expert_invitation (
        token_hash text primary key,
        nomination_id uuid not null references expert_nomination(id),
        workflow_id text not null,
        event_key text not null,
        expires_at timestamptz not null,
        used_at timestamptz,
        created_at timestamptz not null default now()
      );
      create index expert_invitation_nomination_idx on expert_invitation(nomination_id);

      create table campaign_expert (
        campaign_id text not null references campaign(id),
        account_id uuid not null references account(id),
        city_id int not null references city(id),
        nomination_id uuid references expert_nomination(id),
        active boolean not null default true,
        activated_at timestamptz not null,
        primary key (campaign_id, account_id)
      );
      create index campaign_expert_active_idx on campaign_expert(campaign_id) where active;
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists campaign_expert, expert_invitation, expert_nomination_transition, expert_nomination, recommendation cascade;`);
  }
}
