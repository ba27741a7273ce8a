import { Migration } from '@mikro-orm/migrations';

// Results, awards, publication (公示) and objections (异议), SPEC §8. The published list is a
// snapshot: `result` keeps what was published beside what a settled objection made of it, so
// the notice stays readable after corrections. Awards rules: lib/rules/awards.ts.
export class Migration20261203200000_results extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      -- One publication per campaign, written with its snapshot by the publication workflow.
      -- notice: objections may be filed until notice_ends_at; finalising: the notice is over
      -- (filing is refused; the row lock orders the two); final: every result is final.
      create table publication (
        campaign_id text primary key references campaign(id),
        workflow_id text not null unique,
        state text not null check (state in ('notice','finalising','final')),
        published_at timestamptz not null,
        published_by uuid,
        published_role text not null,
        reason text not null,
        notice_days int not null,
        notice_ends_at timestamptz not null,
        -- Per ranking key: the tiers as published, each with its size and lowest final score;
        -- a corrected or re-reviewed entrant is placed against these (lib/rules/awards.ts).
        cutoffs jsonb not null,
        finalised_at timestamptz
      );

      -- Who did what to a publication: published, notice extended (with the new end), the
      -- notice's end, final. event_key (published, extended:<n>, finalising, final) makes a
      -- retried write a no-op.
      create table publication_event (
        id bigserial primary key,
        campaign_id text not null references publication(campaign_id),
        event_key text not null,
        kind text not null check (kind in ('published','notice_extended','finalising','final')),
        actor_account_id uuid,
        actor_role text not null,
        reason text,
        details jsonb,
        at timestamptz not null,
        unique (campaign_id, event_key)
      );

      -- An entrant's place in the published results. published_* never change; final_score,
      -- rank and award follow upheld objections. final: the lifecycle was told its award.
      create table result (
        entrant_id uuid primary key references entrant(id),
        campaign_id text not null references publication(campaign_id),
        category text not null,
        ranking_group text not null check (ranking_group in ('teacher','student')),
        stage text not null,
        ranking_key text not null,
        school_id int not null references school(id),
        county_id int not null references county(id),
        city_id int not null references city(id),
        votes int not null,
        accepted_boosts int not null,
        ranking_score numeric(12,2) not null,
        published_score numeric(6,2) not null,
        published_rank int not null check (published_rank >= 1),
        published_award text,
        final_score numeric(6,2) not null,
        rank int not null check (rank >= 1),
        award text check (award in ('first','second','third','excellence')),
        special_awards text[] not null default '{}',
        talent_score numeric(6,4),
        -- Held for a re-review ordered by an upheld objection, until the new review completes.
        awaiting_review_since timestamptz,
        outcome text check (outcome in ('awarded','not_awarded','disqualified')),
        final boolean not null default false,
        published_at timestamptz not null,
        finalised_at timestamptz,
        check (final = (finalised_at is not null))
      );
      create index result_campaign_rank_idx on result(campaign_id, ranking_key, published_rank);
      create index result_campaign_open_idx on result(campaign_id, entrant_id) where not final;

      -- 团体类奖 (counties, schools) and 组织类奖 (cities), with the figures the formula used.
      create table award_group (
        campaign_id text not null references publication(campaign_id),
        level text not null check (level in ('city','county','school')),
        unit_id int not null,
        unit_code text not null,
        unit_name text not null,
        award text not null check (award in ('group','organisation')),
        rank int not null check (rank >= 1),
        score numeric(8,4) not null,
        figures jsonb not null,
        published_at timestamptz not null,
        primary key (campaign_id, level, unit_id)
      );

      -- Province-admin marks on entrants; the latest row per entrant and kind counts, the rest
      -- is the record of who changed it and why. achievement_sharing: 教学成果分享奖 candidates
      -- (teachers serving rural, remote, poor or ethnic-minority areas).
      create table entrant_flag (
        id bigserial primary key,
        campaign_id text not null references campaign(id),
        entrant_id uuid not null references entrant(id),
        kind text not null check (kind in ('achievement_sharing')),
        marked boolean not null,
        actor_account_id uuid not null references account(id),
        actor_role text not null,
        reason text not null,
        at timestamptz not null default now()
      );
      create index entrant_flag_latest_idx on entrant_flag(campaign_id, kind, entrant_id, id desc);

      -- 异议: filed by any logged-in account during the notice period, settled by an auditor.
      -- applied_at: the publication workflow has applied the settlement to the result (and
      -- mailed the filer); acknowledged_at: the filer was mailed the receipt.
      create table objection (
        id uuid primary key,
        campaign_id text not null references publication(campaign_id),
        entrant_id uuid not null references entrant(id),
        filed_by uuid not null references account(id),
        filer_role text not null,
        reason text not null,
        evidence_sha256 text check (evidence_sha256 ~ '^[0-9a-f]{64}$'),
        evidence_type text,
        evidence_bytes bigint,
        evidence_name text,
        filed_at timestamptz not null,
        state text not null default 'open' check (state in ('open','dismissed','upheld')),
        action text check (action in ('disqualify','rereview','correct')),
        previous_score numeric(6,2),
        corrected_score numeric(6,2),
        settled_by uuid references account(id),
        settler_role text,
        settlement_reason text,
        settled_at timestamptz,
        acknowledged_at timestamptz,
        applied_at timestamptz,
        check ((state = 'open') = (settled_at is null)),
        check ((state = 'upheld') = (action is not null)),
        check ((action = 'correct') = (corrected_score is not null))
      );
      -- One open objection per account and entrant: a second one waits for the first.
      create unique index objection_open_filer_uq on objection(entrant_id, filed_by) where state = 'open';
      create index objection_campaign_idx on objection(campaign_id, state, filed_at);
      create index objection_entrant_idx on objection(entrant_id, state);
      create index objection_filer_idx on objection(filed_by, filed_at);
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists objection, entrant_flag, award_group, result, publication_event, publication cascade;`);
  }
}
