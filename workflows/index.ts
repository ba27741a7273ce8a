// Every export here is registered as a workflow type: workflows and message definitions only.
export * from './campaign';
export * from './entrant-lifecycle';
export * from './publication';
export * from './expert-nomination';
