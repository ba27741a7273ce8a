import { Migration20261203000001_foundation } from './Migration20261203000001_foundation';
import { Migration20261203120800_roster_reports } from './Migration20261203120800_roster_reports';
import { Migration20261203140000_mail_preferences } from './Migration20261203140000_mail_preferences';
import { Migration20261203150000_votes } from './Migration20261203150000_votes';
import { Migration20261203160000_recommendations_experts } from './Migration20261203160000_recommendations_experts';
import { Migration20261203170000_review } from './Migration20261203170000_review';
import { Migration20261203190000_audit_log } from './Migration20261203190000_audit_log';
import { Migration20261203200000_results } from './Migration20261203200000_results';
import { Migration20261203210000_re_review } from './Migration20261203210000_re_review';
import { Migration20261203220000_repeated_attempts } from './Migration20261203220000_repeated_attempts';

// Listed explicitly (not globbed) so tsx, jest and a compiled build all load the same set.
export const MIGRATIONS = [
  { name: 'Migration20261203000001_foundation', class: Migration20261203000001_foundation },
  { name: 'Migration20261203120800_roster_reports', class: Migration20261203120800_roster_reports },
  { name: 'Migration20261203140000_mail_preferences', class: Migration20261203140000_mail_preferences },
  { name: 'Migration20261203150000_votes', class: Migration20261203150000_votes },
  { name: 'Migration20261203160000_recommendations_experts', class: Migration20261203160000_recommendations_experts },
  { name: 'Migration20261203170000_review', class: Migration20261203170000_review },
  { name: 'Migration20261203190000_audit_log', class: Migration20261203190000_audit_log },
  { name: 'Migration20261203200000_results', class: Migration20261203200000_results },
  { name: 'Migration20261203210000_re_review', class: Migration20261203210000_re_review },
  { name: 'Migration20261203220000_repeated_attempts', class: Migration20261203220000_repeated_attempts },
];
