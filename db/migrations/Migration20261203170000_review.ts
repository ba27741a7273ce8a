import { Migration } from '@mikro-orm/migrations';

// 专家评审 (SPEC §7): who entered review and why, every draw with its seed, the assignments
// (replacements kept, never overwritten), conflicts experts declared, score sheets and
// discrepancy flags. A review round is 1 for the review itself; a review reopened later
// (e.g. an upheld objection) would draw its experts in round 2.
export class Migration20261203170000_review extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      -- 入选评审: decided once per category group at its voting close, one row per approved
      -- entrant of the group, in ranking order. top_ranked is kept because the bonus/penalty
      -- range depends on it (SPEC §7).
      create table review_selection (
        entrant_id uuid primary key references entrant(id),
        campaign_id text not null references campaign(id),
        category_group text not null check (category_group in ('teacher','student')),
        rank int not null check (rank >= 1),
        votes int not null,
        accepted_boosts int not null,
        top_k int not null,
        top_ranked boolean not null,
        recommended boolean not null,
        selected boolean not null check (selected = (top_ranked or recommended)),
        decided_at timestamptz not null,
        signalled_at timestamptz
      );
      create index review_selection_group_idx on review_selection(campaign_id, category_group, entrant_id);
      create index review_selection_selected_idx on review_selection(campaign_id, entrant_id) where selected;

      -- Every draw: the assignment, each replacement, each fourth review. The seed comes from
      -- the campaign workflow's history; an infeasible draw keeps its report and writes nothing else.
      create table review_run (
        id bigserial primary key,
        campaign_id text not null references campaign(id),
        kind text not null check (kind in ('assignment','replacement','fourth_review')),
        seed text not null,
        algorithm text not null,
        state text not null check (state in ('done','infeasible')),
        report jsonb not null,
        actor jsonb,
        reason text,
        at timestamptz not null,
        created_at timestamptz not null default now(),
        unique (campaign_id, kind, seed)
      );
      create index review_run_campaign_idx on review_run(campaign_id, created_at desc);

      -- An expert on a space. Replaced rows stay: replaced_by is who took over, or null when no
      -- eligible expert was left (a vacancy the province admin fills by re-running the draw).
      -- deadline null: the review window's close (follows its extensions); set for experts drawn
      -- late, who get a few days of their own.
      create table review_assignment (
        id bigserial primary key,
        campaign_id text not null references campaign(id),
        entrant_id uuid not null references entrant(id),
        expert_account_id uuid not null references account(id),
        round int not null default 1,
        purpose text not null check (purpose in ('review','replacement','fourth_review')),
        run_id bigint not null references review_run(id),
        assigned_at timestamptz not null,
        deadline timestamptz,
        replaced_at timestamptz,
        replaced_by uuid references account(id),
        replacement_kind text check (replacement_kind in ('late','declined','conflict')),
        reason text,
        check ((replaced_at is null) = (replacement_kind is null)),
        unique (entrant_id, expert_account_id, round)
      );
      create index review_assignment_expert_idx on review_assignment(expert_account_id, campaign_id) where replaced_at is null;
      create index review_assignment_campaign_idx on review_assignment(campaign_id, entrant_id) where replaced_at is null;

      -- 回避: an expert's declared conflict with a space; no later draw gives it that space.
      create table expert_conflict (
        id bigserial primary key,
        campaign_id text not null references campaign(id),
        expert_account_id uuid not null references account(id),
        entrant_id uuid not null references entrant(id),
        reason text not null,
        declared_at timestamptz not null,
        unique (campaign_id, expert_account_id, entrant_id)
      );

      -- One sheet per expert, space and round; edited in place until the expert's deadline.
      create table expert_score (
        id bigserial primary key,
        campaign_id text not null references campaign(id),
        entrant_id uuid not null references entrant(id),
        expert_account_id uuid not null references account(id),
        round int not null default 1,
        items jsonb not null,
        rubric_total numeric(6,1) not null,
        adjustment int not null check (adjustment between -5 and 5),
        total numeric(6,1) not null,
        submitted_at timestamptz not null,
        updated_at timestamptz not null,
        locked boolean not null default false,
        unique (entrant_id, expert_account_id, round)
      );
      create index expert_score_campaign_idx on expert_score(campaign_id, entrant_id);

      -- The three totals of a space differ by more than the campaign's threshold.
      create table review_flag (
        id bigserial primary key,
        campaign_id text not null references campaign(id),
        entrant_id uuid not null references entrant(id),
        round int not null default 1,
        spread numeric(6,2) not null,
        threshold numeric(6,2) not null,
        totals jsonb not null,
        state text not null check (state in ('open','cleared','fourth_review')),
        flagged_at timestamptz not null,
        updated_at timestamptz not null,
        ordered_by uuid references account(id),
        ordered_at timestamptz,
        reason text,
        unique (entrant_id, round)
      );
      create index review_flag_campaign_idx on review_flag(campaign_id, state, flagged_at);
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists review_flag, expert_score, expert_conflict, review_assignment, review_run, review_selection cascade;`);
  }
}
