// Not a workflow (and not exported from index.ts): a helper the workflows share.
// A workflow's state moves synchronously, so the next validator sees it; its writes to
// PostgreSQL must still land in the same order, one after another.
export class OrderedWrites {
  private tail: Promise<void> = Promise.resolve();

  /** Queues a write behind the earlier ones; resolves when this one has landed. */
  add(write: () => Promise<unknown>): Promise<void> {
    this.tail = this.tail.then(async () => {
      await write();
    });
    return this.tail;
  }

  /** Resolves when every queued write has landed. */
  drained(): Promise<void> {
    return this.tail;
  }
}
