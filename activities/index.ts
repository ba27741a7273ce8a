import { campaignActivities } from './campaign';
import type { ActivityDeps } from './deps';
import { entrantActivities } from './entrants';
import { notificationActivities } from './notifications';

export type { ActivityDeps } from './deps';

/** Every activity of the system, built from its dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...entrantActivities(deps),
    ...campaignActivities(deps),
    ...notificationActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
