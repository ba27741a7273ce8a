// The BullMQ queues of the system, by name; bull-board at /admin/queues lists each of them.
// Keys live under the REDIS_PREFIX given to BullMQ's `prefix` option.
export const MAIL_QUEUE = 'email';

export const QUEUES: readonly string[] = [MAIL_QUEUE];
