export { constantSchedule, type Schedule } from './schedule.js';
export * from './decay.js';
export * from './cosine.js';
