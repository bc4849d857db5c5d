export * from './data-rng.js';
export * from './batches.js';
export * from './trainer.js';
export * from './param-average.js';
export { DIVERGENCE_FACTOR } from './divergence.js';
export { expectValidFeeds, feedRules, type FeedRules } from './feed-check.js';
