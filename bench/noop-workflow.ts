// The bare workflow the registration benchmark compares against: a start and nothing else.
export async function benchNoop(): Promise<void> {
  return;
}
