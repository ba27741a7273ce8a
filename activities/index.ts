import { campaignActivities } from './campaign';
import type { ActivityDeps } from './deps';
import { entrantActivities } from './entrants';
import { expertActivities } from './experts';
import { notificationActivities } from './notifications';
import { resultsActivities } from './results';
import { reviewActivities } from './review';

export type { ActivityDeps } from './deps';

/** Every activity of the system, built from its dependencies. */
export function createActivities(deps: ActivityDeps) {
  return {
    ...entrantActivities(deps),
    ...campaignActivities(deps),
    ...notificationActivities(deps),
    ...resultsActivities(deps),
    ...reviewActivities(deps),
    ...expertActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
