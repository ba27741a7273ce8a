import { Migration } from '@mikro-orm/migrations';

// Public voting (公众投票), student boosts (学生助力), rankings and vote-brushing flags (刷票),
// SPEC §4, §10, §11. The once-a-day rules are unique indexes, not check-then-insert.
export class Migration20261203150000_votes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      -- The rolled-up truth rankings and the review selection read: one row per entrant that
      -- ever received a vote or an accepted boost (a missing row counts 0). Bumped in the same
      -- transaction as the vote / the boost acceptance, so it equals the count of valid rows
      -- after every commit.
      create table entrant_tally (
        entrant_id uuid primary key references entrant(id),
        campaign_id text not null references campaign(id),
        votes int not null default 0 check (votes >= 0),
        accepted_boosts int not null default 0 check (accepted_boosts >= 0),
        updated_at timestamptz not null default now()
      );
      create index entrant_tally_campaign_idx on entrant_tally(campaign_id);

      -- A counted vote; its id is the voter's receipt (投票凭证). No foreign keys on the hot
      -- path: the one insert statement checks the entrant itself, entrants and accounts are
      -- never deleted, and an FK would take a KEY SHARE lock on a popular entrant per vote.
      -- policy is the campaign's votePolicy at the time of the vote; the partial unique
      -- indexes below bite according to it.
      create table vote (
        id uuid primary key,
        campaign_id text not null,
        entrant_id uuid not null,
        account_id uuid not null,
        ip inet not null,
        day date not null,
        policy text not null check (policy in ('ip_and_account', 'ip', 'account')),
        at timestamptz not null
      );
      create unique index vote_ip_day_uq on vote(entrant_id, day, ip) where policy <> 'account';
      create unique index vote_account_day_uq on vote(entrant_id, day, account_id) where policy <> 'ip';
      -- The brushing detector: recent votes by time (BRIN: votes arrive in time order, so it
      -- costs the insert path next to nothing), then one entrant's votes of the look-back.
      create index vote_at_brin on vote using brin (at);
      create index vote_entrant_at_idx on vote(entrant_id, at);

      -- Refused attempts (duplicate, late, closed, …), kept for audit and the brushing detector;
      -- never counted.
      create table refused_vote (
        id bigserial primary key,
        campaign_id text,
        entrant_id uuid not null,
        account_id uuid not null,
        ip inet not null,
        day date not null,
        reason text not null,
        at timestamptz not null
      );
      create index refused_vote_entrant_idx on refused_vote(entrant_id, at);
      create index refused_vote_campaign_at_idx on refused_vote(campaign_id, at);

      -- 学生助力: a student's video for a teacher, moderated by the teacher's school admin.
      create table boost (
        id uuid primary key,
        campaign_id text not null references campaign(id),
        entrant_id uuid not null references entrant(id),
        student_account_id uuid not null references account(id),
        school_id int not null references school(id),
        video_sha256 text not null check (video_sha256 ~ '^[0-9a-f]{64}$'),
        video_type text not null,
        video_bytes bigint not null,
        original_name text,
        state text not null default 'pending' check (state in ('pending', 'accepted', 'rejected')),
        reason text,
        moderated_by uuid references account(id),
        moderated_at timestamptz,
        created_at timestamptz not null
      );
      -- One live boost per student per teacher; a rejected one may be replaced by a new upload.
      create unique index boost_student_entrant_uq on boost(entrant_id, student_account_id) where state <> 'rejected';
      create index boost_school_state_idx on boost(school_id, state, created_at);

      create table brushing_flag (
        id uuid primary key,
        campaign_id text not null references campaign(id),
        entrant_id uuid not null references entrant(id),
        kind text not null check (kind in ('ip_subnet', 'account_cohort', 'fresh_accounts', 'regular_intervals')),
        window_start timestamptz not null,
        window_end timestamptz not null,
        evidence jsonb not null,
        state text not null default 'open' check (state in ('open', 'dismissed', 'confirmed')),
        decided_by uuid references account(id),
        decided_at timestamptz,
        reason text,
        created_at timestamptz not null,
        unique (entrant_id, kind, window_start)
      );
      create index brushing_flag_campaign_state_idx on brushing_flag(campaign_id, state, created_at);
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists brushing_flag, boost, refused_vote, vote, entrant_tally cascade;`);
  }
}
