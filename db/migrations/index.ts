import { Migration20261203000001_foundation } from './Migration20261203000001_foundation';
import { Migration20261203120800_roster_reports } from './Migration20261203120800_roster_reports';
import { Migration20261203140000_mail_preferences } from './Migration20261203140000_mail_preferences';

// Listed explicitly (not globbed) so tsx, jest and a compiled build all load the same set.
export const MIGRATIONS = [
  { name: 'Migration20261203000001_foundation', class: Migration20261203000001_foundation },
  { name: 'Migration20261203120800_roster_reports', class: Migration20261203120800_roster_reports },
  { name: 'Migration20261203140000_mail_preferences', class: Migration20261203140000_mail_preferences },
];
