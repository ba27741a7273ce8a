// The BullMQ queues of the system, by name; bull-board at /admin/queues lists each of them.
// Keys live under the REDIS_PREFIX given to BullMQ's `prefix` option.
export const MAIL_QUEUE = 'email';

/** The periodic vote-brushing detector (刷票), worker/brushing-detector.ts. */
export const BRUSHING_QUEUE = 'brushing';

export const QUEUES: readonly string[] = [MAIL_QUEUE, BRUSHING_QUEUE];
